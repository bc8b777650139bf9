// The front of `npm run start:cluster` (scripts/cluster.mjs): one port that hands each HTTP
// request and each WebSocket upgrade to the next backend process in turn. Round robin with no
// stickiness: the processes share everything through PostgreSQL and Redis, so any of them
// can serve anything. A backend whose port refuses the connection is skipped; when none
// answers, the reply is a 502 in Parley's error shape. Plain Node, no dependencies. It is a
// convenience for one machine; in production put a real load balancer in front
// (deploy/nginx.conf).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/** Headers that describe one connection, never passed on (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/**
 * An http.Server (not yet listening) that proxies to `ports` on `options.host`
 * (127.0.0.1).
 *
 * X-Forwarded-For: the backends run with TRUST_PROXY=loopback (plus the proxies in front of
 * this one, if any) and believe the address after the last trusted proxy. By default this front is the edge: it replaces what the client sent with the
 * client's own address, and sets X-Forwarded-Proto to http. With `trustForwarded` (another
 * proxy in front of this one), it appends instead and keeps the proto and host it got.
 * `options.log(message)` hears when a backend stops or starts answering.
 *
 * `options.strategy`: 'round-robin' (the default) starts each request and socket at the next
 * backend in turn; 'failover' always starts at the first of `ports`, so everything goes to the
 * first backend that accepts the connection, in list order (the end-to-end tests use it to
 * know which process serves a browser until that process stops).
 *
 * @param {readonly number[]} ports
 * @param {{ host?: string, trustForwarded?: boolean, strategy?: 'round-robin' | 'failover', log?: (message: string) => void }} [options]
 * @returns {http.Server}
 */
export function createFront(ports, options = {}) {
  if (ports.length === 0) throw new Error('createFront: no backend ports');
  const host = options.host ?? '127.0.0.1';
  const trustForwarded = options.trustForwarded ?? false;
  const strategy = options.strategy ?? 'round-robin';
  if (strategy !== 'round-robin' && strategy !== 'failover') {
    throw new Error(`createFront: unknown strategy ${JSON.stringify(strategy)}`);
  }
  const log = options.log ?? (() => {});

  let next = 0;
  /** Every backend, starting with the next one in turn: the order to try for one request. */
  function turn() {
    if (strategy === 'failover') return [...ports];
    const start = next;
    next = (next + 1) % ports.length;
    return ports.map((_, i) => ports[(start + i) % ports.length]);
  }

  const down = new Set();
  /** Connects to the first backend in `order` that accepts; null when none does. */
  function connectAny(order, callback) {
    const [port, ...rest] = order;
    if (port === undefined) {
      callback(null);
      return;
    }
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      if (down.delete(port)) log(`port ${port} answers again`);
      callback(socket);
    });
    socket.once('error', (err) => {
      if (!down.has(port)) {
        down.add(port);
        log(`port ${port} does not answer (${err.code ?? err.message}); skipping it`);
      }
      connectAny(rest, callback);
    });
  }

  /** What the backend learns about the client, by the rules in the doc comment above. */
  function forwarded(req) {
    const client = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    return {
      'x-forwarded-for': trustForwarded && prior ? `${prior}, ${client}` : client,
      'x-forwarded-proto': (trustForwarded && req.headers['x-forwarded-proto']) || 'http',
      ...(trustForwarded && req.headers['x-forwarded-host']
        ? { 'x-forwarded-host': req.headers['x-forwarded-host'] }
        : {}),
    };
  }

  /** Drops hop-by-hop headers, and any the Connection header names. */
  function endToEnd(headers) {
    const named = String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase());
    const out = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
      out[name] = value;
    }
    return out;
  }

  function errorBody(message) {
    const requestId = randomUUID();
    const body = JSON.stringify({
      error: {
        code: 'SERVICE_UNAVAILABLE',
        message,
        details: {},
        requestId,
        timestamp: new Date().toISOString(),
      },
    });
    return { requestId, body };
  }

  function unavailable(res, message) {
    const { requestId, body } = errorBody(message);
    res.writeHead(502, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-request-id': requestId,
    });
    res.end(body);
  }

  const noBackend = 'No Parley process is answering right now. Try again in a moment.';

  const server = http.createServer((req, res) => {
    let aborted = false;
    res.once('close', () => {
      aborted = !res.writableFinished;
    });
    connectAny(turn(), (socket) => {
      if (!socket) {
        if (!aborted) unavailable(res, noBackend);
        return;
      }
      if (aborted) {
        socket.destroy();
        return;
      }
      const headers = endToEnd(req.headers);
      for (const name of FORWARDED) delete headers[name];
      const upstream = http.request({
        createConnection: () => socket,
        method: req.method,
        path: req.url,
        headers: { ...headers, ...forwarded(req) },
      });
      upstream.on('response', (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.statusMessage, endToEnd(reply.headers));
        reply.pipe(res);
        reply.on('error', () => res.destroy());
      });
      upstream.on('error', () => {
        // The process went away mid-request: nothing can be retried safely.
        if (res.destroyed) return;
        if (!res.headersSent) unavailable(res, 'The Parley process handling this request failed.');
        else res.destroy();
      });
      res.once('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    });
  });

  server.on('upgrade', (req, client, head) => {
    client.on('error', () => client.destroy());
    connectAny(turn(), (socket) => {
      if (!socket) {
        const { requestId, body } = errorBody(noBackend);
        client.end(
          'HTTP/1.1 502 Bad Gateway\r\n' +
            'Content-Type: application/json; charset=utf-8\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\n` +
            `X-Request-Id: ${requestId}\r\n` +
            'Connection: close\r\n\r\n' +
            body,
        );
        return;
      }
      if (client.destroyed) {
        socket.destroy();
        return;
      }
      // The upgrade request as it came (Connection and Upgrade included: the backend needs
      // them), with our X-Forwarded-* instead of the client's; then both ways raw.
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        if (!FORWARDED.has(raw[i].toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      }
      for (const [name, value] of Object.entries(forwarded(req))) lines.push(`${name}: ${value}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) socket.write(head);
      // A clean end travels through the pipes (so the last frames arrive); an error or a
      // vanished side ends the other one too.
      socket.on('error', () => client.destroy());
      socket.on('close', () => client.end());
      client.on('close', () => socket.end());
      socket.pipe(client);
      client.pipe(socket);
    });
  });

  return server;
}
