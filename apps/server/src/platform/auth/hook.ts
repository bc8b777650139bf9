import type { User } from '@parley/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../errors.js';
import { Errors } from '../errors.js';
import { boundedUserAgent } from '../request-context.js';
import type { CallerContext } from '../request-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` on routes that require a signed-in user or guest. */
    user: User | null;
    /** Who is calling (IP, user agent), for the audit log: read it with `callerOf`. */
    context: CallerContext | null;
  }
}

export type ResolveUser = (accessToken: string) => Promise<User>;

/** Reads `Authorization: Bearer …`. Tokens never travel in URLs (they end up in logs). */
export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  if (!m?.[1]) throw Errors.invalidToken();
  return m[1];
}

/** onRequest hook for authenticated routes: runs before the body is parsed or validated. */
export function createAuthenticate(resolve: ResolveUser) {
  return async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      const token = bearerToken(req);
      if (!token) throw Errors.unauthenticated();
      req.user = await resolve(token);
    } catch (err) {
      reply.header('www-authenticate', 'Bearer realm="parley"');
      throw err;
    }
  };
}

/** The user set by `authenticate`; a route that calls this without the hook is a bug. */
export function currentUser(req: FastifyRequest): User {
  if (!req.user) throw Errors.unauthenticated();
  return req.user;
}

/** Who is calling (address as TRUST_PROXY decides it), for the services that audit. */
export function callerOf(req: FastifyRequest): CallerContext {
  req.context ??= {
    ip: req.ip,
    userAgent: boundedUserAgent(req.headers['user-agent']),
    requestId: req.id,
  };
  return req.context;
}

/** OpenAPI security requirement for routes behind `authenticate`. */
export const bearerSecurity = [{ bearerAuth: [] }];

/**
 * An onRequest hook, after `authenticate`: only users `allowed` pass, others get
 * `refusal()` (a 403) before the body is even parsed.
 */
export function onlyUsers(allowed: (user: User) => boolean, refusal: () => AppError) {
  return function guard(req: FastifyRequest): Promise<void> {
    const user = req.user;
    if (!user) return Promise.reject(Errors.unauthenticated());
    return allowed(user) ? Promise.resolve() : Promise.reject(refusal());
  };
}

/** Whether `user` holds the admin role: a guest never does, whatever its row says. */
export function isAdmin(user: Pick<User, 'role' | 'isGuest'>): boolean {
  return user.role === 'admin' && !user.isGuest;
}

/** Admin routes: a non-admin gets 403 FORBIDDEN. */
export const adminsOnly = onlyUsers(isAdmin, () => Errors.forbidden('Only admins can do that.'));
