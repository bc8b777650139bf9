import {
  AdminCreateUserBody,
  AdminUpdateUserBody,
  AdminUser,
  AdminUserIdParam,
  AdminUsersPage,
  AdminUsersQuery,
} from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http-errors.js';
import { adminsOnly, bearerSecurity, callerOf, currentUser } from '../../platform/auth/hook.js';
import type { UserDirectory } from './directory.js';
import type { UsersService } from './service.js';

export function adminUserRoutes(deps: {
  users: UsersService;
  directory: UserDirectory;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get('/admin/users', {
      onRequest: [deps.authenticate, adminsOnly],
      schema: {
        tags: ['admin'],
        summary: 'List accounts, newest first (admins only)',
        description:
          '`q` matches the start of a display name (any case) or of an email address. ' +
          'Guests are left out unless `guests` is `include` or `only`. `online`: the ' +
          'account has an open socket now.',
        security: bearerSecurity,
        querystring: AdminUsersQuery,
        response: { 200: AdminUsersPage, ...errorResponses(400, 401, 403) },
      },
      handler: async (req) => deps.directory.list(currentUser(req), req.query),
    });

    r.post('/admin/users', {
      onRequest: [deps.authenticate, adminsOnly],
      schema: {
        tags: ['admin'],
        summary: 'Create an account with a password (admins only)',
        description:
          'Works in every registration mode: while registration is closed, this is how ' +
          'people get an account. The same rules as signing up for the email, name and ' +
          'password; 409 EMAIL_TAKEN when the address has an account. Audited as ' +
          '`user.created`.',
        security: bearerSecurity,
        body: AdminCreateUserBody,
        response: { 201: AdminUser, ...errorResponses(400, 401, 403, 409) },
      },
      handler: async (req, reply) => {
        const created = await deps.users.adminCreate(currentUser(req), req.body, callerOf(req));
        return reply.code(201).send(created);
      },
    });

    r.patch('/admin/users/:id', {
      onRequest: [deps.authenticate, adminsOnly],
      schema: {
        tags: ['admin'],
        summary: "Change a user's role or disable the account (admins only)",
        description:
          'Disabling signs the account out everywhere (its sockets close) and refuses its ' +
          'sign-ins until re-enabled. An admin cannot disable or demote themselves ' +
          '(409 CANNOT_CHANGE_SELF).',
        security: bearerSecurity,
        params: AdminUserIdParam,
        body: AdminUpdateUserBody,
        response: { 200: AdminUser, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (req) =>
        deps.users.adminUpdate(currentUser(req), req.params.id, req.body, callerOf(req)),
    });
  };
}
