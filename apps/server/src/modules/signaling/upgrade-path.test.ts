import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignalingServer } from './test-server.js';

// The upgrade's two paths (routes.ts): one that passes every check is accepted without
// Fastify's routing; anything else is routed through Fastify and answered as any request
// is. Real listening servers and raw HTTP upgrades, so status, headers and body are seen.

type Answer =
  | { upgraded: true }
  | { upgraded: false; status: number; headers: Record<string, unknown>; body: string };

/** Sends an upgrade request as a browser would and reads what comes back. */
function upgrade(
  s: SignalingServer,
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.origin}${path}`, {
      // A connection of its own: the server ends each refused upgrade's connection.
      agent: false,
      method: opts.method ?? 'GET',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...opts.headers,
      },
    });
    req.on('upgrade', (_res, socket: Socket) => {
      socket.destroy();
      resolve({ upgraded: true });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ upgraded: false, status: res.statusCode ?? 0, headers: res.headers, body }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A refusal in the documented error shape, with the request id like any answer. */
function expectRefusal(answer: Answer, status: number, code: string): void {
  expect(answer.upgraded).toBe(false);
  if (answer.upgraded) return;
  expect(answer.status).toBe(status);
  expect(JSON.parse(answer.body)).toMatchObject({ error: { code } });
  expect(answer.headers['x-request-id']).toEqual(expect.any(String));
}

let s: SignalingServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await s?.close();
  s = undefined;
});

describe('the socket upgrade', () => {
  it('an upgrade that passes every check never enters Fastify’s routing; a refused one does', async () => {
    s = await SignalingServer.start();
    const routing = vi.spyOn(s.t.app, 'routing');
    expect(await upgrade(s, '/ws')).toEqual({ upgraded: true });
    expect(await upgrade(s, '/ws?client=bot', { headers: { origin: s.origin } })).toEqual({
      upgraded: true,
    });
    expect(routing).not.toHaveBeenCalled();

    expectRefusal(
      await upgrade(s, '/ws', { headers: { origin: 'https://evil.example' } }),
      403,
      'FORBIDDEN',
    );
    expect(routing).toHaveBeenCalledTimes(1);
  });

  it('counts each socket once in the shared request limit, then refuses with 429 like any request', async () => {
    s = await SignalingServer.start({ rateLimitMax: 3 });
    for (let i = 0; i < 3; i++) expect(await upgrade(s, '/ws')).toEqual({ upgraded: true });
    const past = await upgrade(s, '/ws');
    expectRefusal(past, 429, 'RATE_LIMITED');
    expect(!past.upgraded && Number(past.headers['retry-after'])).toBeGreaterThan(0);
    // The same count as every other request of this caller.
    expect((await fetch(`${s.origin}/api/auth/me`)).status).toBe(429);
  });

  it('an upgrade to any other path is a 404 and runs none of that route', async () => {
    s = await SignalingServer.start();
    expectRefusal(await upgrade(s, '/api/health'), 404, 'NOT_FOUND');
    expectRefusal(await upgrade(s, '/ws/'), 404, 'NOT_FOUND');
    expectRefusal(await upgrade(s, '/wsx'), 404, 'NOT_FOUND');
    expectRefusal(await upgrade(s, '/nowhere'), 404, 'NOT_FOUND');
    // A guest made through an upgrade would be a route run where no socket was asked for.
    const before = await s.t.db.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expectRefusal(
      await upgrade(s, '/api/auth/guest', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      }),
      404,
      'NOT_FOUND',
    );
    const after = await s.t.db.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('a plain GET of /ws (no upgrade) is a 404 in the error shape', async () => {
    s = await SignalingServer.start();
    const res = await fetch(`${s.origin}/ws`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('a malformed handshake gets ws’s 400, and the server keeps accepting', async () => {
    s = await SignalingServer.start();
    const bad = await upgrade(s, '/ws', { headers: { 'sec-websocket-key': 'short' } });
    expect(bad.upgraded === false && bad.status).toBe(400);
    expect(await upgrade(s, '/ws')).toEqual({ upgraded: true });
  });

  it('while draining, the upgrade is refused with 503 in the error shape', async () => {
    s = await SignalingServer.start();
    const server = s;
    const idle = await server.connect(await server.guest());
    const stuck = await server.connect(await server.guest());
    // Never reads the close frame: the shutdown waits on it (for a second), draining.
    const tcp = (stuck.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const closing = server.t.close();
    await idle.next('server.draining');
    expectRefusal(await upgrade(server, '/ws'), 503, 'SERVICE_UNAVAILABLE');
    tcp.resume();
    await closing;
    await server.closeClients();
    s = undefined;
  });
});
