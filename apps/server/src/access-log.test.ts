import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.js';
import { lazyRequestLogger, redactUrl } from './platform/logger.js';
import type { Parley } from './app.js';
import { dialects, json, newAccount, testConfig, testDatabase } from './test/harness.js';
import { logCapture } from './test/log-capture.js';

// An invite code is a bearer credential for a room (a guest account comes with it); it
// travels in the path, so the access log must never keep it.
describe.each(dialects)('the access log on %s', (dialect) => {
  let parley: Parley | undefined;
  afterEach(async () => {
    await parley?.close();
    parley = undefined;
  });

  it('never contains an invite code, in the API paths or the web link', async () => {
    const log = logCapture();
    parley = await buildApp(testConfig({ logLevel: 'info', logRequests: 'all' }), {
      db: await testDatabase(dialect),
      logStream: log.stream,
    });
    const { app } = parley;
    await app.ready();

    const reg = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      ...json(newAccount()),
    });
    const auth = { authorization: `Bearer ${reg.json().tokens.accessToken}` };
    const room = await app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'Call', visibility: 'private', entry: 'approval' }),
    });
    expect(room.statusCode).toBe(201);
    const invite = await app.inject({
      method: 'POST',
      url: `/api/rooms/${room.json().room.id}/invites`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ expiresInMinutes: 60 }),
    });
    expect(invite.statusCode).toBe(201);
    const code: string = invite.json().invite.code;

    expect((await app.inject({ method: 'GET', url: `/api/invites/${code}` })).statusCode).toBe(200);
    const accepted = await app.inject({
      method: 'POST',
      url: `/api/invites/${code}/accept?from=mail`,
      ...json({ displayName: 'Guest' }),
    });
    expect(accepted.statusCode).toBe(200);
    // A code that is not valid is still somebody's secret (or a typo of one).
    const bad = `${code.slice(0, -3)}${code.endsWith('zzz') ? 'yyy' : 'zzz'}`;
    expect((await app.inject({ method: 'GET', url: `/api/invites/${bad}` })).statusCode).toBe(404);
    const roomId = room.json().room.id as string;
    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: `/api/rooms/${roomId}/invites/${code}`,
          headers: auth,
        })
      ).statusCode,
    ).toBe(204);
    await app.inject({ method: 'GET', url: `/i/${code}`, headers: { accept: 'text/html' } });
    await app.inject({ method: 'GET', url: `/invite/${code}`, headers: { accept: 'text/html' } });

    const text = log.text();
    // The requests were logged (with the rest of their URL), only without the code.
    expect(text).toContain('/api/invites/[redacted]/accept?from=mail');
    expect(text).toContain(`/api/rooms/${roomId}/invites/[redacted]`);
    expect(text).toContain('/i/[redacted]');
    expect(text).toContain('/invite/[redacted]');
    for (const secret of [code, bad]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('LOG_REQUESTS', () => {
  let parley: Parley | undefined;
  afterEach(async () => {
    await parley?.close();
    parley = undefined;
  });

  type Access = {
    msg: string;
    level: number;
    method: string;
    url: string;
    status: number;
    ms: number;
    reqId: string;
  };
  async function logged(config: Partial<Parameters<typeof testConfig>[0]>) {
    const log = logCapture();
    parley = await buildApp(testConfig({ logLevel: 'info', ...config }), {
      db: await testDatabase('sqlite'),
      logStream: log.stream,
    });
    const { app } = parley;
    const ok = await app.inject({ method: 'GET', url: '/api/health' });
    expect(ok.statusCode).toBe(200);
    const unauthorized = await app.inject({ method: 'GET', url: '/api/auth/me' });
    expect(unauthorized.statusCode).toBe(401);
    // A malformed code is refused (400): still somebody's secret, or a typo of one.
    const invite = await app.inject({ method: 'GET', url: '/api/invites/secret-code' });
    expect(invite.statusCode).toBe(400);
    const access = log.raw
      .map((l) => JSON.parse(l) as Access)
      .filter((l) => l.msg === 'request completed' || l.msg === 'slow request');
    // Fastify's own two lines per request are off in every mode.
    expect(log.raw.filter((l) => l.includes('incoming request'))).toEqual([]);
    return { access, ids: [ok, unauthorized].map((r) => String(r.headers['x-request-id'])) };
  }

  it('errors (the default): one line per 4xx/5xx (invite codes redacted), none for a quick 200', async () => {
    const { access, ids } = await logged({});
    expect(access.map((l) => [l.method, l.url, l.status])).toEqual([
      ['GET', '/api/auth/me', 401],
      ['GET', '/api/invites/[redacted]', 400],
    ]);
    expect(access[0]).toMatchObject({ level: 30, reqId: ids[1] });
    expect(typeof access[0]!.ms).toBe('number');
  });

  it('errors: a slow request is logged at warn even when it succeeded', async () => {
    // Every request counts as slow at 0 ms; the threshold itself is SLOW_REQUEST_MS.
    const { access } = await logged({ logRequests: 'errors', slowRequestMs: 0 });
    expect(access.find((l) => l.url === '/api/health')).toMatchObject({
      status: 200,
      level: 40,
      msg: 'slow request',
    });
  });

  it('all: one line for every request', async () => {
    const { access, ids } = await logged({ logRequests: 'all' });
    expect(access.map((l) => [l.url, l.status])).toEqual([
      ['/api/health', 200],
      ['/api/auth/me', 401],
      ['/api/invites/[redacted]', 400],
    ]);
    expect(access[0]!.reqId).toBe(ids[0]);
  });

  it('none: no access lines at all', async () => {
    const { access } = await logged({ logRequests: 'none' });
    expect(access).toEqual([]);
  });
});

describe('redactUrl', () => {
  it('hides invite codes wherever a path names an invite, and anything shaped like a JWT', () => {
    expect(redactUrl('/i/abcde-fghij')).toBe('/i/[redacted]');
    expect(redactUrl('/api/rooms/r1/invites/abcde-fghij')).toBe('/api/rooms/r1/invites/[redacted]');
    expect(redactUrl('/api/invites/abc.def.ghi')).toBe('/api/invites/[redacted]');
    expect(redactUrl('/api/invites/abc/accept?x=1')).toBe('/api/invites/[redacted]/accept?x=1');
    expect(redactUrl('//API/Invites/abc')).toBe('//API/Invites/[redacted]');
    expect(redactUrl('/invite/abc#frag')).toBe('/invite/[redacted]#frag');
    expect(redactUrl('/somewhere?t=eyJhbGciOi.eyJyaWQiOi.c2lnbmF0dXJl')).toBe(
      '/somewhere?t=[redacted]',
    );
    // Everything else is kept as it was.
    expect(redactUrl('/api/rooms/abc-defg-hjk/join')).toBe('/api/rooms/abc-defg-hjk/join');
  });
});

describe("a request's logger", () => {
  function fakeLogger(level: string) {
    const lines: { level: string; args: unknown[]; self: unknown }[] = [];
    const logger = { level, lines } as unknown as FastifyBaseLogger & { lines: typeof lines };
    for (const l of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
      (logger as unknown as Record<string, unknown>)[l] = function (
        this: unknown,
        ...args: unknown[]
      ) {
        lines.push({ level: l, args, self: this });
      };
    }
    return logger;
  }

  it('makes its child with the bindings only when something is logged, once, and logs through it', () => {
    const child = fakeLogger('info');
    const parent = fakeLogger('info');
    const make = vi.fn(() => child);
    parent.child = make;
    const log = lazyRequestLogger(parent, { reqId: 'r-1' }, { level: 'warn' });
    // A route's own level, as the child will have it; the parent's when none is given.
    expect(log.level).toBe('warn');
    expect(lazyRequestLogger(parent, { reqId: 'r-2' }, {}).level).toBe('info');
    expect(make).not.toHaveBeenCalled();

    log.warn({ status: 500 }, 'request completed');
    log.error('again');
    expect(make).toHaveBeenCalledTimes(1);
    expect(make).toHaveBeenCalledWith({ reqId: 'r-1' }, { level: 'warn' });
    // Called as the child's own method: pino reads its bindings through `this`.
    expect(child.lines).toEqual([
      { level: 'warn', args: [{ status: 500 }, 'request completed'], self: child },
      { level: 'error', args: ['again'], self: child },
    ]);
    expect(parent.lines).toEqual([]);
  });
});
