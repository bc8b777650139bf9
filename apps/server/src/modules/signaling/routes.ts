import websocket from '@fastify/websocket';
import { ErrorCode, WS_LIMITS } from '@parley/protocol';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
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
    (socket, req) => {
      const ip = req.ip;
      const userAgent = boundedUserAgent(req.headers['user-agent']);
      forgetUpgrade(socket, req.raw.socket, log);
      hub.accept(socket, ip, userAgent);
    },
  );

  return { close: () => hub.close() };
}

/**
 * Lets the upgrade's request and response go once the socket is accepted: the hub keeps
 * the few fields it needs (address, user agent). Otherwise they live as long as the
 * socket, ~5 KB each: @fastify/websocket's error listener closes over the Fastify
 * request and reply, and the response made for the upgrade stays attached to the TCP
 * socket (it is never ended, the reply being hijacked).
 */
function forgetUpgrade(socket: WebSocket, tcp: Socket, log: FastifyBaseLogger): void {
  // ws already closes the socket on a protocol error (1009, 1002); this only records it.
  socket.removeAllListeners('error');
  socket.on('error', (err) => log.debug({ err }, 'socket error'));
  const attached = tcp as Socket & { _httpMessage?: { detachSocket(s: Socket): void } | null };
  attached._httpMessage?.detachSocket(tcp);
}
