import { AdminUpdateUserBody, AdminUser, AdminUserIdParam, ErrorResponse } from '@parley/protocol';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { bearerSecurity, currentUser } from '../../platform/auth/hook.js';
import { Errors } from '../../platform/errors.js';
import type { UsersService } from './service.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));

/** onRequest, after `authenticate`: a non-admin gets 403 before the body is even parsed. */
function adminsOnly(req: FastifyRequest): Promise<void> {
  const user = req.user;
  return user && user.role === 'admin' && !user.isGuest
    ? Promise.resolve()
    : Promise.reject(
        user ? Errors.forbidden('Only admins can do that.') : Errors.unauthenticated(),
      );
}

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
        response: { 200: AdminUser, ...errors(400, 401, 403, 404, 409) },
      },
      handler: async (req) => deps.users.adminUpdate(currentUser(req), req.params.id, req.body),
    });
  };
}
