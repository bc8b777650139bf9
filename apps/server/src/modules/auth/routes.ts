import {
  AuthResponse,
  GuestBody,
  LoginBody,
  MeResponse,
  RefreshBody,
  RegisterBody,
} from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http-errors.js';
import { z } from 'zod';
import { bearerSecurity, callerOf, currentUser } from '../../platform/auth/hook.js';
import type { AuthService } from './service.js';

// Per-IP ceilings on account creation and credential endpoints, on top of the
// per-account login throttle in the service (which counts failures, not requests).
const strict = (max: number) => ({ rateLimit: { max, timeWindow: '1 minute' } });

export function authRoutes(deps: {
  auth: AuthService;
  authenticate: onRequestAsyncHookHandler;
  authRateLimit: number;
}) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['auth'];
    const limit = deps.authRateLimit;

    r.post('/register', {
      config: strict(limit),
      schema: {
        tags,
        summary: 'Create an account and sign in',
        body: RegisterBody,
        description:
          'Follows the `registration` setting: `closed` → 403 REGISTRATION_CLOSED; ' +
          '`invite-only` → needs `inviteToken`, the code of a room invite with a use left, ' +
          'else 403 INVITE_REQUIRED. Registering uses one up, as accepting it would: the new ' +
          "account is admitted to the invite's room (unless it is locked or full), or waits in " +
          'its lobby (approval room, invite without skip-the-lobby), so a 1-use link registers ' +
          'one account and its holder is then in the room or its lobby.',
        response: { 201: AuthResponse, ...errorResponses(400, 403, 409, 429) },
      },
      handler: async (req, reply) =>
        reply.code(201).send(await deps.auth.register(req.body, callerOf(req))),
    });

    r.post('/login', {
      config: strict(limit),
      schema: {
        tags,
        summary: 'Sign in with email and password',
        description:
          'Repeated failures are throttled per account and per IP (429 TOO_MANY_ATTEMPTS).',
        body: LoginBody,
        response: { 200: AuthResponse, ...errorResponses(400, 401, 403, 429) },
      },
      handler: async (req) => deps.auth.login(req.body, callerOf(req)),
    });

    r.post('/refresh', {
      config: strict(limit),
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new pair (rotation)',
        description:
          'Presenting an already-used refresh token revokes its whole family (REFRESH_TOKEN_REUSED). ' +
          'A token of a session that ended otherwise (logout, a revoked family) is 401 ' +
          'SESSION_REVOKED; of a disabled account, 403 ACCOUNT_DISABLED.',
        body: RefreshBody,
        response: { 200: AuthResponse, ...errorResponses(400, 401, 403, 429) },
      },
      handler: async (req) => deps.auth.refresh(req.body.refreshToken, callerOf(req)),
    });

    r.post('/logout', {
      schema: {
        tags,
        summary: 'Sign out: end the session of this refresh token',
        description:
          "Revokes the token's whole family; the session's access tokens then get 401 " +
          'SESSION_REVOKED and its sockets close. Unknown tokens are not an error.',
        body: RefreshBody,
        response: { 204: z.undefined(), ...errorResponses(400) },
      },
      handler: async (req, reply) => {
        await deps.auth.logout(req.body.refreshToken, callerOf(req));
        return reply.code(204).send();
      },
    });

    r.post('/guest', {
      config: strict(limit),
      schema: {
        tags,
        summary: 'Create a guest user (display name only) and sign in',
        description:
          'Guest access off: 403 GUESTS_DISABLED. Guest accounts per IP per hour are a quota ' +
          '(429 QUOTA_EXCEEDED with Retry-After).',
        body: GuestBody,
        response: { 201: AuthResponse, ...errorResponses(400, 403, 429) },
      },
      handler: async (req, reply) =>
        reply.code(201).send(await deps.auth.guest(req.body.displayName, callerOf(req))),
    });

    r.get('/me', {
      onRequest: deps.authenticate,
      schema: {
        tags,
        summary: 'The signed-in user',
        security: bearerSecurity,
        response: { 200: MeResponse, ...errorResponses(401, 403) },
      },
      handler: (req) => ({ user: currentUser(req) }),
    });
  };
}
