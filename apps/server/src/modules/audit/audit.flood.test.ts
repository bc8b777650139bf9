import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, newAccount, testApp, testConfig } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { AUDIT_FLOOD_LIMIT } from './log.js';
import { entries, request } from './test-audit.js';
import type { From } from './test-audit.js';

// Anonymous callers must not be able to fill the audit log: refusals and entries without
// an actor are written up to a burst per type and caller (clientKey of the IP), then one
// a minute; the rest are only counted (parley_audit_events_dropped_total{type}).

const MALLORY: From = { ip: '198.51.100.66', userAgent: 'flood/1.0' };
const OTHER: From = { ip: '203.0.113.5', userAgent: 'other/1.0' };
const BURST = AUDIT_FLOOD_LIMIT.burst;

describe.each(dialects)('audit flood limit on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(new Date());
    // The lockout outlasts the minute the test waits, so the caller is still held back.
    const throttle = testConfig().loginThrottle;
    t = await testApp({
      dialect,
      clock,
      config: {
        loginThrottle: { ...throttle, perPair: { ...throttle.perPair, baseMs: 10 * 60_000 } },
      },
    });
  });
  afterEach(async () => t.close());

  const dropped = async (type: string) =>
    (await t.metrics.auditDropped.get()).values.find((v) => v.labels.type === type)?.value ?? 0;
  const login = (email: string, from: From) =>
    request(t.app, 'POST', '/api/auth/login', { body: { email, password: 'guess' }, from });
  async function account() {
    const acct = newAccount('flood');
    const res = await request(t.app, 'POST', '/api/auth/register', { body: acct });
    expect(res.status).toBe(201);
    return { ...acct, token: res.body.tokens.accessToken as string };
  }

  it('100 throttled sign-ins from one IP write the burst; the rest are counted; another IP still gets its entries', async () => {
    const { email } = await account();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await login(email, MALLORY)).status);
    const throttled = statuses.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(BURST);

    const held = await entries(t.db.db, { type: 'auth.login_throttled' });
    expect(held).toHaveLength(BURST);
    expect(await dropped('auth.login_throttled')).toBe(throttled - BURST);
    // The failures before the throttle were fewer than the burst: every one is there.
    expect(await entries(t.db.db, { type: 'auth.login_failed' })).toHaveLength(
      statuses.filter((s) => s === 401).length,
    );

    // Another caller has its own burst.
    expect((await login(email, OTHER)).status).toBe(401);
    const fromOther = await entries(t.db.db, { type: 'auth.login_failed' });
    expect(fromOther.filter((e) => e.ip === OTHER.ip)).toHaveLength(1);

    // Then one a minute from the flooding caller.
    expect((await login(email, MALLORY)).status).toBe(429);
    expect(await entries(t.db.db, { type: 'auth.login_throttled' })).toHaveLength(BURST);
    clock.advance(60_000);
    await login(email, MALLORY);
    expect(await entries(t.db.db, { type: 'auth.login_throttled' })).toHaveLength(BURST + 1);
  });

  it('an IPv6 /64 floods as one caller', async () => {
    for (let i = 0; i < BURST + 10; i++) {
      await login(`nobody${i}@example.org`, {
        ip: `2001:db8:5:6::${(i + 1).toString(16)}`,
        userAgent: 'v6',
      });
    }
    expect(await entries(t.db.db, { type: 'auth.login_failed' })).toHaveLength(BURST);
    expect(await dropped('auth.login_failed')).toBe(10);
  });

  it("a signed-in person's own actions are never limited", async () => {
    const me = await account();
    for (let i = 0; i < BURST + 5; i++) {
      const res = await request(t.app, 'POST', '/api/rooms', {
        token: me.token,
        body: { name: `Room ${i}`, visibility: 'private', entry: 'open' },
        from: MALLORY,
      });
      expect(res.status).toBe(201);
    }
    expect(await entries(t.db.db, { type: 'room.created' })).toHaveLength(BURST + 5);
    expect(await dropped('room.created')).toBe(0);
  });
});
