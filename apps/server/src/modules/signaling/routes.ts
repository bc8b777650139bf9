import websocket from '@fastify/websocket';
import type { WebsocketPluginOptions } from '@fastify/websocket';
import { ErrorCode, WS_LIMITS } from '@parley/protocol';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { AppError, Errors } from '../../platform/errors.js';
import { boundedUserAgent } from '../../platform/request-context.js';
import type { SignalingDeps } from './deps.js';
import { HubSocket, createHub } from './hub.js';
import { isOriginAllowed } from './origin.js';

type WebSocketClass = NonNullable<WebsocketPluginOptions['options']>['WebSocket'];

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
  // ws already closes the socket on a protocol error (1009, 1002); this only records it.
  // One listener for every socket, not a closure each.
  const onSocketError = (err: Error) => log.debug({ err }, 'socket error');

  await app.register(websocket, {
    options: {
      maxPayload: WS_LIMITS.maxPayloadBytes,
      // Compression costs memory per socket and has a history of zip-bomb style bugs.
      perMessageDeflate: false,
      // ws waits this long for a closing peer's answer before dropping it (default 30 s).
      ...{ closeTimeout: 5_000 },
      // The hub tracks its sockets; ws's own set of clients, and the close listener it
      // adds to each socket for it, would cost ~150 bytes per socket for nothing.
      clientTracking: false,
      // Sockets with a slot for the hub's connection (hub.ts).
      WebSocket: HubSocket as unknown as WebSocketClass,
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
      forgetUpgrade(socket, req.raw.socket, onSocketError);
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
function forgetUpgrade(socket: WebSocket, tcp: Socket, onError: (err: Error) => void): void {
  socket.removeAllListeners('error');
  socket.on('error', onError);
  const attached = tcp as Socket & { _httpMessage?: { detachSocket(s: Socket): void } | null };
  attached._httpMessage?.detachSocket(tcp);
  dropClearedTimeout(tcp);
}

/** Node's key for a socket's idle timer (`kTimeout`), found on the first socket that has one. */
let timeoutKey: symbol | undefined;

/**
 * The HTTP idle timeout (HTTP_IDLE_TIMEOUT_SECONDS) gave the TCP socket a timer; ws turned
 * it off (`setTimeout(0)`), but Node keeps the cleared timer on the socket for its whole
 * life, ~170 bytes per socket. With no timeout set, its slot goes back to null, as on a
 * socket that never had one.
 */
function dropClearedTimeout(tcp: Socket): void {
  if (tcp.timeout !== 0) return;
  const slots = tcp as unknown as Record<symbol, unknown>;
  timeoutKey ??= Object.getOwnPropertySymbols(tcp).find(
    (k) => k.description === 'timeout' && isTimer(slots[k]),
  );
  if (timeoutKey !== undefined && isTimer(slots[timeoutKey])) slots[timeoutKey] = null;
}

const isTimer = (v: unknown): boolean => v instanceof Object && v.constructor.name === 'Timeout';
