import { ErrorCode, WS_LIMITS } from '@parley/protocol';
import { ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
import { AppError, Errors } from '../../platform/errors.js';
import type { RequestGate } from '../../platform/http-plumbing.js';
import { boundedUserAgent } from '../../platform/request-context.js';
import type { SignalingDeps } from './deps.js';
import { HubSocket, createHub } from './hub.js';
import { isOriginAllowed } from './origin.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The sockets' `ws` server (tests listen to its `connection`). */
    websocketServer: WebSocketServer;
  }
}

export type Signaling = {
  /** Graceful shutdown; also runs on Fastify's close, so calling it twice is fine. */
  close(): Promise<void>;
};

/** The one path that upgrades to a socket (PROTOCOL.md). */
const SOCKET_PATH = '/ws';

/**
 * The WebSocket at `/ws` (PROTOCOL.md). Every upgrade passes the same checks: the server
 * is not draining (503), the Origin is allowed (403), the caller is within the shared
 * request limit (429). An upgrade that passes them all is accepted here at once: routing
 * it through Fastify (a request and reply, a child logger, the hook chain, to hijack it at
 * the end) was about a tenth of a socket's whole cost of connecting and saying hello.
 * Everything else goes through Fastify, so a refusal is answered as any request's is (the
 * error shape, the request id, the access log) and a check that passed here but not there
 * (a limit window turning) still ends the same way. Fastify's hooks do not run for an
 * accepted socket: a hook added there must be added here too if sockets need it.
 */
export function registerSignaling(
  app: FastifyInstance,
  deps: SignalingDeps,
  /** Absent (tests of the socket layer alone): every upgrade goes through Fastify. */
  gate?: RequestGate,
): Signaling {
  const log = app.log.child({ module: 'signaling' });
  const hub = createHub(deps, log);
  // ws already closes the socket on a protocol error (1009, 1002); this only records it.
  // One listener for every socket, not a closure each.
  const onSocketError = (err: Error) => log.debug({ err }, 'socket error');

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_LIMITS.maxPayloadBytes,
    // Compression costs memory per socket and has a history of zip-bomb style bugs.
    perMessageDeflate: false,
    // ws waits this long for a closing peer's answer before dropping it (default 30 s;
    // an option @types/ws does not list yet).
    ...{ closeTimeout: 5_000 },
    // The hub tracks its sockets; ws's own set of clients, and the close listener it
    // adds to each socket for it, would cost ~150 bytes per socket for nothing.
    clientTracking: false,
    // Sockets with a slot for the hub's connection (hub.ts).
    WebSocket: HubSocket,
  });
  app.decorate('websocketServer', wss);

  /** Upgrades being routed through Fastify: their TCP socket and first bytes. */
  const routed = new WeakMap<IncomingMessage, { tcp: Duplex; head: Buffer }>();

  const refusal = (req: IncomingMessage): AppError | undefined => {
    // 503 before any socket exists: nginx (proxy_next_upstream http_503) tries another
    // process, and a direct client retries with backoff.
    if (hub.draining()) {
      return new AppError(
        ErrorCode.SERVICE_UNAVAILABLE,
        503,
        'This server is restarting; reconnect.',
      );
    }
    if (!isOriginAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins)) {
      return Errors.forbidden('This origin may not open a socket here.');
    }
    return undefined;
  };

  /** ws answers the handshake (or 400 for a malformed one) and the hub takes the socket. */
  function upgrade(req: IncomingMessage, tcp: Duplex, head: Buffer, ip: string): void {
    // ws puts its own error listener on the TCP socket before anything can fail.
    tcp.removeListener('error', destroyOnError);
    wss.handleUpgrade(req, tcp, head, (socket) => {
      wss.emit('connection', socket, req);
      socket.on('error', onSocketError);
      forgetUpgrade(tcp as Socket);
      hub.accept(socket, ip, boundedUserAgent(req.headers['user-agent']));
    });
  }

  /** Through Fastify: its hooks, the route below, its error handler for a refusal. */
  function route(req: IncomingMessage, tcp: Duplex, head: Buffer): void {
    routed.set(req, { tcp, head });
    const res = new ServerResponse(req);
    // A refusal's answer is the last thing this connection carries.
    res.once('finish', () => tcp.destroy());
    try {
      res.assignSocket(tcp as Socket);
      app.routing(req, res);
    } catch (err) {
      log.warn({ err }, 'socket upgrade failed');
      tcp.destroy();
    }
  }

  async function direct(req: IncomingMessage, tcp: Duplex, head: Buffer): Promise<void> {
    const ip = gate?.clientIp(req);
    if (!gate || ip === undefined || !isSocketPath(req) || refusal(req)) {
      return route(req, tcp, head);
    }
    const within = await gate.withinRateLimit(ip).catch(() => false);
    // Checked again: the server may have started draining while the count was taken.
    if (!within || hub.draining()) return route(req, tcp, head);
    upgrade(req, tcp, head, ip);
  }

  const onUpgrade = (req: IncomingMessage, tcp: Duplex, head: Buffer) => {
    // Node takes its own error listener off before 'upgrade'; until ws has the socket,
    // an error (a reset) must not go unheard.
    tcp.on('error', destroyOnError);
    direct(req, tcp, head).catch((err: unknown) => {
      log.warn({ err }, 'socket upgrade failed');
      tcp.destroy();
    });
  };
  app.server.on('upgrade', onUpgrade);

  // Anything else that asks for an upgrade is no socket: 404, as for an unknown path, and
  // no handler of that route runs for it.
  app.addHook('onRequest', (req, _reply, done) => {
    const asked = routed.has(req.raw) && req.routeOptions.url !== SOCKET_PATH;
    done(asked ? Errors.notFound('There is no socket here.') : undefined);
  });

  app.get(
    SOCKET_PATH,
    {
      schema: { hide: true },
      onRequest: (req, _reply, done) => done(refusal(req.raw)),
    },
    (req: FastifyRequest, reply) => {
      const upgrading = routed.get(req.raw);
      if (!upgrading) throw Errors.notFound('This path only answers a WebSocket upgrade.');
      reply.hijack();
      upgrade(req.raw, upgrading.tcp, upgrading.head, req.ip);
    },
  );

  app.addHook('preClose', async () => {
    app.server.removeListener('upgrade', onUpgrade);
    await hub.close();
    wss.close();
  });

  return { close: () => hub.close() };
}

function isSocketPath(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return (
    req.method === 'GET' &&
    url.startsWith(SOCKET_PATH) &&
    (url.length === SOCKET_PATH.length || url[SOCKET_PATH.length] === '?')
  );
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * Lets the upgrade go once the socket is accepted: the hub keeps the few fields it needs
 * (address, user agent). An upgrade routed through Fastify left the response made for it
 * attached to the TCP socket for the socket's whole life (~5 KB; it is never ended, the
 * reply being hijacked).
 */
function forgetUpgrade(tcp: Socket): void {
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
