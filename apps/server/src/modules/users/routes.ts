import { AdminUpdateUserBody, AdminUser, AdminUserIdParam } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http-errors.js';
import { adminsOnly, bearerSecurity, currentUser } from '../../platform/auth/hook.js';
import type { UsersService } from './service.js';

export function adminUserRoutes(deps: {
  users: UsersService;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();

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
      handler: async (req) => deps.users.adminUpdate(currentUser(req), req.params.id, req.body),
    });
  };
}
