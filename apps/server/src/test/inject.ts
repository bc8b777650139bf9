import type { FastifyInstance } from 'fastify';

// One JSON request by `inject`, as a client at a stated address would send it: the
// suites' REST helpers (settings, audit, brute force, per-IP limits) all go through here.

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type InjectOptions = {
  /** A bearer access token. */
  token?: string | undefined;
  /** Sent as JSON when set. */
  body?: unknown;
  /** The caller's address as the server sees it (default: inject's 127.0.0.1). */
  ip?: string | undefined;
  userAgent?: string | undefined;
};

export function injectJson(
  app: FastifyInstance,
  method: Method,
  url: string,
  opts: InjectOptions = {},
) {
  return app.inject({
    method,
    url,
    ...(opts.ip ? { remoteAddress: opts.ip } : {}),
    headers: {
      ...(opts.userAgent ? { 'user-agent': opts.userAgent } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(opts.body !== undefined ? { payload: JSON.stringify(opts.body) } : {}),
  });
}
