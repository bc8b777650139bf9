import {
  BlockResponse,
  BlocksResponse,
  ContactResponse,
  ContactsResponse,
  OnlineUsersResponse,
  PresenceSettings,
  UserIdParam,
  UserRefBody,
  UserSearchQuery,
  UserSearchResponse,
} from '@parley/protocol';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http-errors.js';
import { z } from 'zod';
import { adminsOnly, bearerSecurity, currentUser, onlyUsers } from '../../platform/auth/hook.js';
import { ContactErrors } from './errors.js';
import type { ContactsService } from './service.js';

/** Guests have no address book (403 before any parsing). */
const membersOnly = onlyUsers((u) => !u.isGuest, ContactErrors.membersOnly);

/** Contacts, blocks, "do not disturb", user search and who is online (issue 11). */
export function contactRoutes(deps: {
  contacts: ContactsService;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { contacts } = deps;
    const members = { onRequest: [deps.authenticate, membersOnly] };
    const security = bearerSecurity;
    const me = (req: FastifyRequest) => currentUser(req).id;

    r.get('/contacts', {
      ...members,
      schema: {
        tags: ['contacts'],
        security,
        summary: 'My contacts with their presence, online first (members)',
        description:
          'Someone who blocked you shows offline, with no lastSeenAt and no "do not disturb".',
        response: { 200: ContactsResponse, ...errorResponses(401, 403) },
      },
      handler: async (req) => ({ contacts: await contacts.contacts(me(req)) }),
    });

    r.post('/contacts', {
      ...members,
      schema: {
        tags: ['contacts'],
        security,
        summary: 'Add a member to my contacts (members)',
        description:
          '201 when added, 200 when they already were a contact. Yourself: 400 ' +
          'CANNOT_TARGET_SELF; no such member (or a guest, or a disabled account): 404 ' +
          'USER_NOT_FOUND; over the contact limit: 409 CONFLICT.',
        body: UserRefBody,
        response: {
          200: ContactResponse,
          201: ContactResponse,
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
      handler: async (req, reply) => {
        const { contact, created } = await contacts.addContact(me(req), req.body.userId);
        return reply.code(created ? 201 : 200).send({ contact });
      },
    });

    r.delete('/contacts/:userId', {
      ...members,
      schema: {
        tags: ['contacts'],
        security,
        summary: 'Remove someone from my contacts (members)',
        description: '404 USER_NOT_FOUND when they were not a contact.',
        params: UserIdParam,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req, reply) => {
        await contacts.removeContact(me(req), req.params.userId);
        return reply.code(204).send();
      },
    });

    r.get('/blocks', {
      ...members,
      schema: {
        tags: ['contacts'],
        security,
        summary: 'People I blocked, newest first (members)',
        response: { 200: BlocksResponse, ...errorResponses(401, 403) },
      },
      handler: async (req) => ({ blocked: await contacts.blocks(me(req)) }),
    });

    r.post('/blocks', {
      ...members,
      schema: {
        tags: ['contacts'],
        security,
        summary: 'Block a member: they see me offline and cannot call me (members)',
        description:
          '201 when blocked now, 200 when already blocked. Yourself: 400 CANNOT_TARGET_SELF; ' +
          'no such member (or a guest): 404 USER_NOT_FOUND.',
        body: UserRefBody,
        response: { 200: BlockResponse, 201: BlockResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req, reply) => {
        const { block, created } = await contacts.block(me(req), req.body.userId);
        return reply.code(created ? 201 : 200).send({ block });
      },
    });

    r.delete('/blocks/:userId', {
      ...members,
      schema: {
        tags: ['contacts'],
        security,
        summary: 'Unblock someone (members)',
        description: '404 USER_NOT_FOUND when they were not blocked.',
        params: UserIdParam,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req, reply) => {
        await contacts.unblock(me(req), req.params.userId);
        return reply.code(204).send();
      },
    });

    r.get('/presence', {
      ...members,
      schema: {
        tags: ['presence'],
        security,
        summary: 'My "do not disturb" setting (members)',
        response: { 200: PresenceSettings, ...errorResponses(401, 403) },
      },
      handler: async (req) => contacts.presenceSettings(me(req)),
    });

    r.put('/presence', {
      ...members,
      schema: {
        tags: ['presence'],
        security,
        summary: 'Turn "do not disturb" on or off (members)',
        description:
          'While on, calls to me are answered busy at once. A change reaches everyone who ' +
          'has me as a contact (presence.changed), except people I blocked.',
        body: PresenceSettings,
        response: { 200: PresenceSettings, ...errorResponses(400, 401, 403) },
      },
      handler: async (req) => contacts.setDoNotDisturb(me(req), req.body.doNotDisturb),
    });

    r.get('/users/search', {
      ...members,
      schema: {
        tags: ['users'],
        security,
        summary: 'Find members by display-name prefix or exact email (members)',
        description:
          'Case-insensitive prefix of the display name, or exactly the email (only then is ' +
          'the email in the answer). Guests, disabled accounts and yourself are never ' +
          'listed. Throttled per user: 429 RATE_LIMITED with Retry-After.',
        querystring: UserSearchQuery,
        response: { 200: UserSearchResponse, ...errorResponses(400, 401, 403, 429) },
      },
      handler: async (req) => ({ users: await contacts.search(me(req), req.query.q) }),
    });

    r.get('/users/online', {
      onRequest: [deps.authenticate, adminsOnly],
      schema: {
        tags: ['admin'],
        security,
        summary: 'Members online now, with their open connections (admins)',
        response: { 200: OnlineUsersResponse, ...errorResponses(401, 403) },
      },
      handler: async () => ({ users: await contacts.onlineUsers() }),
    });
  };
}
