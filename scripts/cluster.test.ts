import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createFront } from './cluster-front.mjs';

// The front of `npm run start:cluster` against tiny HTTP + WebSocket backends, all on real
// sockets on 127.0.0.1. Every wait is for an event; nothing depends on timing.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: http.Server, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function shut(server: http.Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

/** Answers HTTP with what it received, and greets and echoes on WebSockets; `name` says who. */
async function backend(name: string, port = 0) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ name, method: req.method, url: req.url, body, headers: req.headers }),
      );
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.send(JSON.stringify({ name, url: req.url, headers: req.headers }));
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      // What a draining Parley process does: close with 1012 (service restart).
      if (text === 'drain') ws.close(1012, 'SERVICE_UNAVAILABLE');
      else ws.send(`${name}: ${text}`);
    });
  });
  const bound = await listen(server, port);
  cleanups.push(async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await shut(server);
  });
  return bound;
}

/** A port nothing listens on: bound once, then released. */
async function deadPort(): Promise<number> {
  const server = http.createServer();
  const port = await listen(server);
  await shut(server);
  return port;
}

async function front(
  ports: number[],
  options: { trustForwarded?: boolean; strategy?: 'round-robin' | 'failover' } = {},
) {
  const log: string[] = [];
  const server = createFront(ports, { ...options, log: (m) => log.push(m) });
  const port = await listen(server);
  cleanups.push(() => shut(server));
  return { url: `http://127.0.0.1:${port}`, port, log };
}

async function get(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** A WebSocket client whose messages queue up until read, so none is missed. */
function socket(url: string, headers?: Record<string, string>) {
  const ws = new WebSocket(url, { headers });
  const queue: string[] = [];
  const waiting: ((message: string) => void)[] = [];
  ws.on('message', (data) => {
    const message = (data as Buffer).toString('utf8');
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  cleanups.push(() => ws.terminate());
  const next = () =>
    queue.length > 0
      ? Promise.resolve(queue.shift() as string)
      : new Promise<string>((resolve) => waiting.push(resolve));
  return { ws, next, json: async () => JSON.parse(await next()) };
}

const errorShape = {
  error: {
    code: 'SERVICE_UNAVAILABLE',
    message: expect.any(String),
    details: {},
    requestId: expect.any(String),
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  },
};

describe('cluster front', () => {
  it('sends HTTP requests round robin, with no stickiness, and passes them on whole', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const { url, port } = await front([a, b]);

    const names = [];
    for (let i = 0; i < 4; i++) names.push((await get(`${url}/api/health`)).body.name);
    expect(names).toEqual(['a', 'b', 'a', 'b']);

    const { status, body } = await get(`${url}/api/rooms?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: '{"name":"standup"}',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: 'a',
      method: 'POST',
      url: '/api/rooms?x=1',
      body: '{"name":"standup"}',
      headers: {
        // The Origin check compares Host: it must arrive unchanged.
        host: `127.0.0.1:${port}`,
        'content-type': 'application/json',
        // The client's own claim is replaced by the address the front saw.
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
      },
    });
  });

  it('with trustForwarded, appends to the X-Forwarded-For of the proxy in front', async () => {
    const a = await backend('a');
    const { url } = await front([a], { trustForwarded: true });
    const { body } = await get(url, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
    });
    expect(body.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('https');
  });

  it('proxies WebSocket upgrades round robin; messages flow both ways, and a 1012 close arrives', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const { url, port } = await front([a, b]);
    const wsUrl = `${url.replace('http', 'ws')}/ws`;

    const first = socket(wsUrl, {
      origin: `http://127.0.0.1:${port}`,
      'x-forwarded-for': '203.0.113.9',
    });
    const hello = await first.json();
    expect(hello).toMatchObject({
      name: 'a',
      url: '/ws',
      headers: {
        host: `127.0.0.1:${port}`,
        origin: `http://127.0.0.1:${port}`,
        'x-forwarded-for': '127.0.0.1',
      },
    });
    first.ws.send('ping');
    expect(await first.next()).toBe('a: ping');

    const second = socket(wsUrl);
    expect((await second.json()).name).toBe('b');
    second.ws.send('hi');
    expect(await second.next()).toBe('b: hi');
    first.ws.send('again');
    expect(await first.next()).toBe('a: again');

    const closed = once(first.ws, 'close');
    first.ws.send('drain');
    const [code, reason] = (await closed) as [number, Buffer];
    expect(code).toBe(1012);
    expect(String(reason)).toBe('SERVICE_UNAVAILABLE');
  });

  it('skips a backend that refuses the connection, for requests and sockets', async () => {
    const dead = await deadPort();
    const a = await backend('a');
    const { url, log } = await front([dead, a]);

    for (let i = 0; i < 3; i++) {
      const { status, body } = await get(url);
      expect(status).toBe(200);
      expect(body.name).toBe('a');
    }
    const ws = socket(`${url.replace('http', 'ws')}/ws`);
    expect((await ws.json()).name).toBe('a');
    // Said once, not on every request.
    expect(log).toEqual([expect.stringContaining(`port ${dead} does not answer`)]);
  });

  it('answers 502 in the error shape when no backend answers, and uses one again once it does', async () => {
    const dead = [await deadPort(), await deadPort()];
    const { url } = await front(dead);

    const res = await get(`${url}/api/health`);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual(errorShape);
    expect(res.headers.get('x-request-id')).toBe(res.body.error.requestId);

    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    ws.on('error', () => {}); // terminating a socket that never opened reports an error
    cleanups.push(() => ws.terminate());
    const [, upgrade] = (await once(ws, 'unexpected-response')) as [unknown, http.IncomingMessage];
    expect(upgrade.statusCode).toBe(502);
    let body = '';
    for await (const chunk of upgrade) body += String(chunk);
    expect(JSON.parse(body)).toEqual(errorShape);

    // No memory of failures: a process that comes back (the same port) is used at once.
    await backend('back', dead[1]);
    const names = [];
    for (let i = 0; i < 2; i++) names.push((await get(url)).body.name);
    expect(names).toEqual(['back', 'back']);
  });
});

describe('cluster front, failover strategy', () => {
  it('sends every request and socket to the first backend that answers, in list order', async () => {
    const b = await backend('b');
    const stopB = cleanups.at(-1)!;
    const a = await backend('a');
    const { url, log } = await front([b, a], { strategy: 'failover' });
    const wsUrl = `${url.replace('http', 'ws')}/ws`;

    const names = [];
    for (let i = 0; i < 3; i++) names.push((await get(url)).body.name);
    expect(names).toEqual(['b', 'b', 'b']);
    const first = socket(wsUrl);
    expect((await first.json()).name).toBe('b');
    const second = socket(wsUrl);
    expect((await second.json()).name).toBe('b');

    // The first one stops: its sockets end, and the next request and socket go to the other.
    const closed = once(first.ws, 'close');
    cleanups.splice(cleanups.indexOf(stopB), 1);
    await stopB();
    await closed;
    expect((await get(url)).body.name).toBe('a');
    const third = socket(wsUrl);
    expect((await third.json()).name).toBe('a');
    expect(log).toEqual([expect.stringContaining(`port ${b} does not answer`)]);

    // Back on the same port: first in the list again.
    await backend('b again', b);
    expect((await get(url)).body.name).toBe('b again');
  });

  it('refuses an unknown strategy', () => {
    expect(() => createFront([1], { strategy: 'sticky' as unknown as 'failover' })).toThrow(
      /unknown strategy/,
    );
  });
});

describe('npm run start:cluster', () => {
  it('refuses to start without PostgreSQL and Redis, before building anything', async () => {
    const run = promisify(execFile)(
      process.execPath,
      [fileURLToPath(new URL('cluster.mjs', import.meta.url))],
      {
        env: { PATH: process.env.PATH, DATABASE_URL: './data/parley.db' },
      },
    );
    const failure = await run.then(
      () => undefined,
      (err: unknown) => err as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('DATABASE_URL must be a PostgreSQL URL');
    expect(failure?.stderr).toContain('REDIS_URL must be set');
  });
});
