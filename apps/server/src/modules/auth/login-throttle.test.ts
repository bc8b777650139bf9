import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { TEST_REDIS_URL } from '../../platform/live/redis/testing.js';
import { twoProcesses } from '../../test/deployment.js';
import { dialects, json, newAccount, testApp, testConfig } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';

// OWASP: lock out the attacker, not the account. Five wrong passwords used to lock the
// owner out for 15 minutes from everywhere (the right password then got 429). Now failures
// count per address (any account) and per address+account, with a lockout that doubles;
// a spread-out attack on one account only takes the free tries away from every address.
const LIMITS = testConfig().loginThrottle;
const ATTACKER = '198.51.100.66';
const OWNER_HOME = '192.0.2.10';

describe.each(dialects)('login throttling on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  afterEach(async () => {
    await t.close();
  });

  async function start(loginThrottle: Partial<Config['loginThrottle']> = {}) {
    clock = new ManualClock(new Date());
    t = await testApp({
      dialect,
      clock,
      config: { loginThrottle: { ...LIMITS, ...loginThrottle } },
    });
  }
  const login = (ip: string, email: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email, password }),
    });
  async function owner() {
    const acct = newAccount('owner');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      remoteAddress: OWNER_HOME,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(acct),
    });
    expect(res.statusCode).toBe(201);
    return acct;
  }
  const retryAfter = (res: { headers: Record<string, unknown> }) =>
    Number(res.headers['retry-after']);

  it('the owner signs in from another address while the attacker is locked out of the account', async () => {
    await start();
    const acct = await owner();
    for (let i = 0; i < LIMITS.perPair.after; i++) {
      expect((await login(ATTACKER, acct.email, `wrong guess ${i}`)).statusCode).toBe(401);
    }
    // The attacker's address is locked out of this account, even with the right password…
    const locked = await login(ATTACKER, acct.email, acct.password);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    // …and the owner is not.
    expect((await login(OWNER_HOME, acct.email, acct.password)).statusCode).toBe(200);

    // The attacker keeps at it, lockout after lockout; the owner still gets in every time.
    for (let round = 0; round < 4; round++) {
      clock.advance(retryAfter(await login(ATTACKER, acct.email, 'again')) * 1000);
      expect((await login(ATTACKER, acct.email, `wrong ${round}`)).statusCode).toBe(401);
      expect((await login(OWNER_HOME, acct.email, acct.password)).statusCode).toBe(200);
    }
  });

  it("each further failure from the attacker's address doubles its lockout, up to the cap", async () => {
    await start();
    const acct = await owner();
    for (let i = 0; i < LIMITS.perPair.after; i++) await login(ATTACKER, acct.email, 'wrong 1');
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await login(ATTACKER, acct.email, 'wrong 2');
      expect(res.statusCode).toBe(429);
      waits.push(retryAfter(res));
      // Waits out the lockout exactly; the next guess fails again and locks for longer.
      clock.advance(retryAfter(res) * 1000);
      expect((await login(ATTACKER, acct.email, 'wrong 3')).statusCode).toBe(401);
    }
    const base = LIMITS.perPair.baseMs / 1000;
    const cap = LIMITS.perPair.maxMs / 1000;
    expect(waits.slice(0, 4)).toEqual([base, 2 * base, 4 * base, 8 * base]);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(Math.max(...waits)).toBe(cap);
  });

  it('an address spraying many accounts is stopped at the per-address limit, right password or not', async () => {
    await start();
    const acct = await owner();
    for (let i = 0; i < LIMITS.perIp; i++) {
      expect((await login(ATTACKER, `spray${i}@example.org`, 'guess 1')).statusCode).toBe(401);
    }
    const res = await login(ATTACKER, acct.email, acct.password);
    expect(res.statusCode).toBe(429);
    expect(retryAfter(res)).toBeGreaterThan(0);
    expect(retryAfter(res)).toBeLessThanOrEqual(LIMITS.windowMs / 1000);
    expect((await login(OWNER_HOME, acct.email, acct.password)).statusCode).toBe(200);
  });

  it('the addresses of one IPv6 /64 share one per-address budget; another /64 has its own', async () => {
    await start();
    const acct = await owner();
    // Each failure from a fresh address of the same /64: one subscriber, one count.
    for (let i = 0; i < LIMITS.perIp; i++) {
      const ip = `2001:db8:1:2::${(i + 1).toString(16)}`;
      expect((await login(ip, `spray${i}@example.org`, 'guess')).statusCode).toBe(401);
    }
    const res = await login('2001:db8:1:2:ffff:ffff:ffff:fffe', acct.email, acct.password);
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect((await login('2001:db8:1:3::1', acct.email, acct.password)).statusCode).toBe(200);
  });

  it('an IPv4-mapped IPv6 address counts as its IPv4 address', async () => {
    await start();
    const acct = await owner();
    for (let i = 0; i < LIMITS.perIp; i++) {
      const ip = i % 2 ? ATTACKER : `::ffff:${ATTACKER}`;
      expect((await login(ip, `spray${i}@example.org`, 'guess')).statusCode).toBe(401);
    }
    expect((await login(ATTACKER, acct.email, acct.password)).statusCode).toBe(429);
    expect((await login(`::ffff:${ATTACKER}`, acct.email, acct.password)).statusCode).toBe(429);
  });

  it('an attack on one account from many addresses slows every address, yet never locks the owner out', async () => {
    await start({ accountCeiling: 10 });
    const acct = await owner();
    // Each address stays under its own free tries; together they pass the account's ceiling.
    for (let i = 0; i < 10; i++) {
      expect((await login(`203.0.113.${i + 1}`, acct.email, `guess ${i}`)).statusCode).toBe(401);
    }
    // Now one failure is enough to lock an address out of this account.
    expect((await login('203.0.113.100', acct.email, 'guess x')).statusCode).toBe(401);
    expect((await login('203.0.113.100', acct.email, 'guess y')).statusCode).toBe(429);
    // The owner, right the first time, gets in; after a typo, only a short wait.
    expect((await login(OWNER_HOME, acct.email, acct.password)).statusCode).toBe(200);
    expect((await login(OWNER_HOME, acct.email, 'typo')).statusCode).toBe(401);
    const slowed = await login(OWNER_HOME, acct.email, acct.password);
    expect(slowed.statusCode).toBe(429);
    expect(retryAfter(slowed)).toBe(LIMITS.perPair.baseMs / 1000);
    clock.advance(LIMITS.perPair.baseMs);
    expect((await login(OWNER_HOME, acct.email, acct.password)).statusCode).toBe(200);
  });

  it("a sign-in forgives its own address's failures on that account", async () => {
    await start();
    const acct = await owner();
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i < LIMITS.perPair.after; i++) {
        expect((await login(OWNER_HOME, acct.email, 'forgot it')).statusCode).toBe(401);
      }
      expect((await login(OWNER_HOME, acct.email, acct.password)).statusCode).toBe(200);
    }
  });
});

// Two processes on one Redis: an attacker switching processes is held back as on one, and
// the owner still gets in through either.
describe.skipIf(!TEST_REDIS_URL)('login throttling across processes (Redis)', () => {
  it('the attacker alternating processes is locked out after the same count; the owner is not', async () => {
    const clock = new ManualClock(new Date());
    const { a, b, close } = await twoProcesses({ live: 'redis', dialect: 'sqlite', clock });
    try {
      const acct = newAccount('owner');
      const reg = await a.app.inject({ method: 'POST', url: '/api/auth/register', ...json(acct) });
      expect(reg.statusCode).toBe(201);
      const login = (app: TestApp, ip: string, password: string) =>
        app.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: ip,
          ...json({ email: acct.email, password }),
        });
      for (let i = 0; i < LIMITS.perPair.after; i++) {
        expect((await login(i % 2 ? b : a, ATTACKER, 'wrong')).statusCode).toBe(401);
      }
      const first = await login(a, ATTACKER, acct.password);
      expect(first.statusCode).toBe(429);
      expect(Number(first.headers['retry-after'])).toBe(LIMITS.perPair.baseMs / 1000);
      expect((await login(b, ATTACKER, acct.password)).statusCode).toBe(429);
      expect((await login(b, OWNER_HOME, acct.password)).statusCode).toBe(200);
      clock.advance(LIMITS.perPair.baseMs);
      expect((await login(b, ATTACKER, 'wrong')).statusCode).toBe(401);
      const second = await login(a, ATTACKER, 'wrong');
      expect(Number(second.headers['retry-after'])).toBe((2 * LIMITS.perPair.baseMs) / 1000);
      expect((await login(a, OWNER_HOME, acct.password)).statusCode).toBe(200);
    } finally {
      await close();
    }
  });
});
