import { mkdtempSync } from 'node:fs';
import { randomInt, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './platform/config.js';
import { FAST_WS, SignalingServer } from './modules/signaling/test-server.js';
import { dialects, json, newAccount, testApp } from './test/harness.js';
import type { TestApp } from './test/harness.js';

// One proxy of ours in front, on this host (TRUST_PROXY=loopback, read as main.ts reads it). A client that
// writes its own X-Forwarded-For gets its entries in front of the proxy's: the address the
// proxy saw (here 203.0.113.7) is the right-most one, and every per-IP limit counts it.
const trustProxy = loadConfig({
  DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-trust-')),
  TRUST_PROXY: 'loopback',
}).trustProxy;

const CLIENT = '203.0.113.7';
const randomIp = () =>
  `${randomInt(1, 224)}.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
/** A fresh forged left-most entry on every request, the proxy's real one at the end. */
const spoofed = () => ({ 'x-forwarded-for': `${randomIp()}, ${CLIENT}` });

describe.each(dialects)(
  'behind one trusted proxy on %s, a forged X-Forwarded-For buys nothing',
  (dialect) => {
    let t: TestApp;
    afterEach(async () => {
      await t.close();
    });

    it('login failures count against the proxy-seen address: 30, then 429', async () => {
      t = await testApp({ dialect, config: { trustProxy } });
      const login = (headers: Record<string, string>, i: number) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          ...json({ email: `spray${i}@example.org`, password: 'guess guess 1' }),
          headers: { 'content-type': 'application/json', ...headers },
        });
      for (let i = 0; i < 30; i++) expect((await login(spoofed(), i)).statusCode).toBe(401);
      const past = await login(spoofed(), 30);
      expect(past.statusCode).toBe(429);
      expect(past.json().error.code).toBe('TOO_MANY_ATTEMPTS');
      // Someone else behind the same proxy is not caught by it.
      expect((await login({ 'x-forwarded-for': '203.0.113.8' }, 31)).statusCode).toBe(401);
    });

    it('a client that is not one of the proxies cannot choose its address with the header', async () => {
      t = await testApp({ dialect, config: { trustProxy } });
      const login = (i: number) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '198.51.100.9',
          ...json({ email: `direct${i}@example.org`, password: 'guess guess 1' }),
          headers: { 'content-type': 'application/json', 'x-forwarded-for': randomIp() },
        });
      for (let i = 0; i < 30; i++) expect((await login(i)).statusCode).toBe(401);
      expect((await login(30)).statusCode).toBe(429);
    });

    it('room lookups that miss count against the proxy-seen address: 60, then 429', async () => {
      t = await testApp({ dialect, config: { trustProxy } });
      const reg = await t.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        ...json(newAccount()),
      });
      const token = reg.json<{ tokens: { accessToken: string } }>().tokens.accessToken;
      const lookup = () =>
        t.app.inject({
          method: 'GET',
          url: `/api/rooms/${randomUUID()}`,
          headers: { authorization: `Bearer ${token}`, ...spoofed() },
        });
      for (let i = 0; i < 60; i++) expect((await lookup()).statusCode).toBe(404);
      const past = await lookup();
      expect(past.statusCode).toBe(429);
      expect(past.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    });
  },
);

describe('behind one trusted proxy, the socket cap per address holds against a forged X-Forwarded-For', () => {
  let s: SignalingServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('the connection past maxConnectionsPerIp is refused with 4005', async () => {
    s = await SignalingServer.start({
      trustProxy,
      // No hello and no heartbeat verdicts while the sockets are counted.
      ws: {
        ...FAST_WS,
        helloTimeoutMs: 10_000,
        heartbeatIntervalMs: 10_000,
        deadAfterMs: 60_000,
        maxConnectionsPerIp: 3,
      },
    });
    const server = s;
    const open = await Promise.all(
      Array.from({ length: 3 }, () => server.open({ headers: spoofed() })),
    );
    const extra = await server.open({ headers: spoofed() });
    expect(await extra.next('error')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect(await extra.whenClosed()).toEqual({ code: 4005, reason: 'TOO_MANY_CONNECTIONS' });
    expect(open.every((c) => c.ws.readyState === c.ws.OPEN)).toBe(true);
    // Another address behind the proxy still gets in.
    const other = await server.open({ headers: { 'x-forwarded-for': '203.0.113.8' } });
    await expect(other.expectNo('error', 150)).resolves.toBeUndefined();
  });
});
