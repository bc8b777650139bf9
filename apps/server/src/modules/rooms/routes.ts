import {
  AcceptInviteBody,
  AcceptInviteResponse,
  CreateInviteBody,
  CreateRoomBody,
  CreateRoomResponse,
  IdOrCodeParam,
  InviteCodeParam,
  InviteListResponse,
  InviteParams,
  InviteResponse,
  InviteSummary,
  JoinRoomBody,
  JoinRoomResponse,
  MuteAllResponse,
  ParticipantParams,
  ParticipantResponse,
  RoomIdParam,
  RoomListResponse,
  RoomResponse,
  SpotlightBody,
  UpdateRoomBody,
  UpdateRoomResponse,
} from '@parley/protocol';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http-errors.js';
import { z } from 'zod';
import { bearerSecurity, callerOf, currentUser } from '../../platform/auth/hook.js';
import type { User } from '@parley/protocol';
import type { InvitesService } from './invites.js';
import type { RoomsService } from './service.js';
import type { RequestContext } from '../../platform/request-context.js';

export type RoomRoutesDeps = {
  rooms: RoomsService;
  invites: InvitesService;
  authenticate: onRequestAsyncHookHandler;
  /** Signs in the caller if they sent a token, without requiring one. */
  optionalUser(req: FastifyRequest): Promise<User | null>;
  /** Origin of invite links: PUBLIC_URL or a trusted Host; undefined: relative links. */
  linkOrigin(req: FastifyRequest): string | undefined;
  /** Joins per IP per minute: codes are secrets, so guessing them must be slow. */
  joinRateLimit: number;
};

export function roomRoutes(deps: RoomRoutesDeps) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    // onRequest: who you are is settled before your body is even parsed (401 before 400).
    const auth = { onRequest: deps.authenticate };
    const tags = ['rooms'];
    const security = bearerSecurity;
    // Invite links: never an origin the client made up (Host: evil.example): relative then.
    const linkBase = (req: FastifyRequest) => deps.linkOrigin(req) ?? '';

    r.post('/rooms', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Create a room (members only; guests get 403)',
        body: CreateRoomBody,
        response: { 201: CreateRoomResponse, ...errorResponses(400, 401, 403) },
      },
      handler: async (req, reply) =>
        reply.code(201).send(await deps.rooms.create(currentUser(req), req.body, callerOf(req))),
    });

    r.get('/rooms', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Rooms I host or joined',
        response: { 200: RoomListResponse, ...errorResponses(401) },
      },
      handler: async (req) => ({ rooms: await deps.rooms.listMine(currentUser(req)) }),
    });

    r.get('/rooms/public', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Open public rooms',
        response: { 200: RoomListResponse, ...errorResponses(401) },
      },
      handler: async (req) => ({ rooms: await deps.rooms.listPublic(currentUser(req)) }),
    });

    r.get('/rooms/:idOrCode', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Room details for a participant or would-be joiner',
        description: 'A code that does not exist and a room you may not see get the same 404.',
        params: IdOrCodeParam,
        response: { 200: RoomResponse, ...errorResponses(400, 401, 404, 429) },
      },
      handler: async (req) => ({
        room: await deps.rooms.get(req.params.idOrCode, currentUser(req), req.ip),
      }),
    });

    r.patch('/rooms/:id', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Change name, chat, entry, lock or password (host)',
        params: RoomIdParam,
        body: UpdateRoomBody,
        response: { 200: UpdateRoomResponse, ...errorResponses(400, 401, 403, 404, 410) },
      },
      handler: async (req) => deps.rooms.update(req.params.id, req.body, currentUser(req)),
    });

    r.delete('/rooms/:id', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'End the room for everyone (host or co-host)',
        params: RoomIdParam,
        response: { 204: z.undefined(), ...errorResponses(401, 403, 404, 410) },
      },
      handler: async (req, reply) => {
        await deps.rooms.end(req.params.id, currentUser(req), callerOf(req));
        return reply.code(204).send();
      },
    });

    r.post('/rooms/:idOrCode/join', {
      ...auth,
      config: { rateLimit: { max: deps.joinRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags,
        security,
        summary: 'Ask to join: approved at once, or pending in the lobby',
        description:
          'Wrong password: 403 BAD_ROOM_PASSWORD (throttled); full: 409 ROOM_FULL; locked: 403 ROOM_LOCKED; ended: 410 ROOM_CLOSED. ' +
          'A guest new to the room from the network of a guest removed from it: `pending`.',
        params: IdOrCodeParam,
        body: JoinRoomBody,
        response: { 200: JoinRoomResponse, ...errorResponses(400, 401, 403, 404, 409, 410, 429) },
      },
      handler: async (req) =>
        deps.rooms.join(req.params.idOrCode, currentUser(req), req.body.password, req.ip),
    });

    r.post('/rooms/:id/leave', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Leave the room, or withdraw a request from the lobby',
        params: RoomIdParam,
        response: { 204: z.undefined(), ...errorResponses(401, 404) },
      },
      handler: async (req, reply) => {
        await deps.rooms.leave(req.params.id, currentUser(req));
        return reply.code(204).send();
      },
    });

    const decisions = [
      [
        'admit',
        'Admit from the lobby, or re-admit a denied or removed person (host or co-host)',
        (id: string, userId: string, actor: User, origin: RequestContext) =>
          deps.rooms.admit(id, userId, actor, origin),
      ],
      [
        'deny',
        'Deny a waiting request (host or co-host)',
        (id: string, userId: string, actor: User, origin: RequestContext) =>
          deps.rooms.deny(id, userId, actor, origin),
      ],
      [
        'kick',
        'Remove someone from the room; they cannot come back without a new admission (host or co-host)',
        (id: string, userId: string, actor: User, origin: RequestContext) =>
          deps.rooms.kick(id, userId, actor, origin),
      ],
      [
        'promote',
        'Make an admitted participant co-host (host); they get `moderation.granted`',
        (id: string, userId: string, actor: User) => deps.rooms.promote(id, userId, actor),
      ],
      [
        'mute',
        "Turn off someone's microphone in the call; they get `moderation.applied` and may turn it on again (host or co-host; a co-host cannot mute the host)",
        (id: string, userId: string, actor: User, origin: RequestContext) =>
          deps.rooms.mute(id, userId, actor, origin),
      ],
      [
        'lower-hand',
        "Lower someone's raised hand (host or co-host; a co-host cannot act on the host)",
        (id: string, userId: string, actor: User, origin: RequestContext) =>
          deps.rooms.lowerHand(id, userId, actor, origin),
      ],
    ] as const;
    for (const [action, summary, fn] of decisions) {
      r.post(`/rooms/:id/participants/:userId/${action}`, {
        ...auth,
        schema: {
          tags,
          security,
          summary,
          params: ParticipantParams,
          response: { 200: ParticipantResponse, ...errorResponses(401, 403, 404, 409, 410) },
        },
        handler: async (req) => ({
          participant: await fn(req.params.id, req.params.userId, currentUser(req), callerOf(req)),
        }),
      });
    }

    r.post('/rooms/:id/mute-all', {
      ...auth,
      schema: {
        tags,
        security,
        summary:
          'Ask everyone in the call but the caller to mute (host or co-host; a co-host’s request spares the host)',
        params: RoomIdParam,
        response: { 200: MuteAllResponse, ...errorResponses(401, 403, 404, 410) },
      },
      handler: async (req) => deps.rooms.muteAll(req.params.id, currentUser(req), callerOf(req)),
    });

    r.post('/rooms/:id/spotlight', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Show one connection of the call large to everyone, or nobody (host or co-host)',
        description:
          'A connection not in the call: 404 PARTICIPANT_NOT_FOUND. The room hears `room.spotlight`.',
        params: RoomIdParam,
        body: SpotlightBody,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 410) },
      },
      handler: async (req, reply) => {
        await deps.rooms.spotlight(req.params.id, req.body.connectionId, currentUser(req));
        return reply.code(204).send();
      },
    });

    r.post('/rooms/:id/invites', {
      ...auth,
      schema: {
        tags: ['invites'],
        security,
        summary: 'Create an invite link to this room (host or co-host)',
        description:
          'The link is `/i/<code>`: a short code looked up on every use. In a room with host ' +
          'approval its holder waits in the lobby unless `skipLobby`; in a password room it ' +
          'stands in for the password.',
        params: RoomIdParam,
        body: CreateInviteBody,
        response: { 201: InviteResponse, ...errorResponses(400, 401, 403, 404, 410) },
      },
      handler: async (req, reply) =>
        reply
          .code(201)
          .send(
            await deps.invites.create(
              req.params.id,
              currentUser(req),
              req.body,
              linkBase(req),
              callerOf(req),
            ),
          ),
    });

    r.get('/rooms/:id/invites', {
      ...auth,
      schema: {
        tags: ['invites'],
        security,
        summary: "The room's invites, newest first, with uses and status (host or co-host)",
        params: RoomIdParam,
        response: { 200: InviteListResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => deps.invites.list(req.params.id, currentUser(req), linkBase(req)),
    });

    r.delete('/rooms/:id/invites/:code', {
      ...auth,
      schema: {
        tags: ['invites'],
        security,
        summary: 'Revoke an invite at once (host or co-host)',
        description:
          'Nobody gets in with it from now on, and whoever waits in the lobby having come ' +
          'with it is turned away (`lobby.denied`, reason `invite-revoked`). Revoking an ' +
          'invite again is no error (204). A code that is not this room’s: 404 INVITE_NOT_FOUND.',
        params: InviteParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req, reply) => {
        await deps.invites.revoke(req.params.id, req.params.code, currentUser(req), callerOf(req));
        return reply.code(204).send();
      },
    });

    r.get('/invites/:code', {
      schema: {
        tags: ['invites'],
        summary: 'What an invite link leads to (no sign-in needed)',
        params: InviteCodeParam,
        description:
          'Unknown codes count against the caller’s IP (429 TOO_MANY_ATTEMPTS). Expired, used ' +
          'up or revoked: 410 INVITE_INVALID. `admission` says whether accepting lets the ' +
          'person in or puts them in the lobby.',
        response: { 200: InviteSummary, ...errorResponses(400, 404, 410, 429) },
      },
      handler: async (req) => deps.invites.summary(req.params.code, req.ip),
    });

    r.post('/invites/:code/accept', {
      config: { rateLimit: { max: deps.joinRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['invites'],
        summary:
          'Accept an invite: signed-in users join as themselves; others become a guest with `displayName`',
        description:
          '`approved`: in (open and password rooms — no password needed — a skip-the-lobby ' +
          'invite, or already in). `pending`: in the lobby of an approval room until a host ' +
          'admits them. Someone removed from the room: 403 KICKED_FROM_ROOM through any invite; ' +
          'a guest not yet admitted who comes from the network of a guest removed from it: ' +
          '`pending`, whatever the invite.',
        params: InviteCodeParam,
        body: AcceptInviteBody,
        response: {
          200: AcceptInviteResponse,
          ...errorResponses(400, 401, 403, 404, 409, 410, 429),
        },
      },
      handler: async (req) =>
        deps.invites.accept(
          req.params.code,
          await deps.optionalUser(req),
          req.body.displayName,
          callerOf(req),
        ),
    });
  };
}
