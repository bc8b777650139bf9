import websocket from '@fastify/websocket';
import { ErrorCode, WS_LIMITS } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { AppError, Errors } from '../../platform/errors.js';
import { boundedUserAgent } from '../../platform/request-context.js';
import type { SignalingDeps } from './deps.js';
import { createHub } from './hub.js';
import { isOriginAllowed } from './origin.js';

export type Signaling = {
  /** Graceful shutdown; also runs on Fastify's close, so calling it twice is fine. */
  close(): Promise<void>;
};

/**
 * The WebSocket at `/ws` (PROTOCOL.md). The upgrade passes the usual Fastify hooks; the
 * Origin check refuses cross-site pages with 403 before any socket exists.
 */
export async function registerSignaling(
  app: FastifyInstance,
  deps: SignalingDeps,
): Promise<Signaling> {
  const log = app.log.child({ module: 'signaling' });
  const hub = createHub(deps, log);

  await app.register(websocket, {
    options: {
      maxPayload: WS_LIMITS.maxPayloadBytes,
      // Compression costs memory per socket and has a history of zip-bomb style bugs.
      perMessageDeflate: false,
      // ws waits this long for a closing peer's answer before dropping it (default 30 s).
      ...{ closeTimeout: 5_000 },
    },
    // ws already closes the socket (1009 for an oversized frame, 1002 for bad framing);
    // killing it here as the default does could cut off that close frame.
    errorHandler: (err, _socket, req) => req.log.debug({ err }, 'socket error'),
    // Replaces the plugin's default, which closes every socket without a code.
    preClose: async () => {
      await hub.close();
      app.websocketServer.close();
    },
  });

  app.get(
    '/ws',
    {
      websocket: true,
      schema: { hide: true },
      onRequest: (req, _reply, done) => {
        // 503 before any socket exists: nginx (proxy_next_upstream http_503) tries another
        // process, and a direct client retries with backoff.
        if (hub.draining()) {
          return done(
            new AppError(
              ErrorCode.SERVICE_UNAVAILABLE,
              503,
              'This server is restarting; reconnect.',
            ),
          );
        }
        const allowed = isOriginAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins);
        done(allowed ? undefined : Errors.forbidden('This origin may not open a socket here.'));
      },
    },
    (socket, req) => hub.accept(socket, req.ip, boundedUserAgent(req.headers['user-agent'])),
  );

  return { close: () => hub.close() };
}
