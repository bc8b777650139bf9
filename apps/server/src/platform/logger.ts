import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/** Where log lines go when not stdout (tests capture them). */
export type LogStream = { write(line: string): void };

/**
 * Invite codes are credentials (each one admits a guest to a room) and they travel in the
 * path: `/api/invites/<code>…`, `/api/rooms/<id>/invites/<code>` and the web link
 * `/i/<code>` (formerly `/invite/<token>`). Any segment after `i/`, `invite/` or `invites/`
 * (any case, anywhere in the URL) and anything shaped like a JWT is replaced, so a typo'd
 * path that 404s does not leak the code either.
 */
const INVITE_SEGMENT = /(\/(?:invites?|i)\/)[^/?#]+/gi;
const JWT_LIKE = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;

export function redactUrl(url: string): string {
  return url.replace(INVITE_SEGMENT, '$1[redacted]').replace(JWT_LIKE, '[redacted]');
}

/**
 * The HTTP logger: Fastify's request fields with the URL redacted. No headers are logged
 * (the redact list is a second guard should a serializer ever add them).
 */
export function loggerOptions(level: string, stream?: LogStream) {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refreshToken'],
    serializers: {
      req(req: FastifyRequest | IncomingMessage) {
        const fastifyReq = 'raw' in req ? req : undefined;
        return {
          method: req.method,
          url: redactUrl(req.url ?? ''),
          host: fastifyReq?.host,
          remoteAddress: fastifyReq?.ip ?? req.socket?.remoteAddress,
          remotePort: req.socket?.remotePort,
        };
      },
    },
    ...(stream ? { stream } : {}),
  };
}
