import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { TEST_REDIS_URL } from '../../platform/live/redis/testing.js';
import { testDeployment } from '../../test/deployment.js';
import { dialects, newAccount, testConfig } from '../../test/harness.js';
import type { Dialect, TestApp } from '../../test/harness.js';
import { entries, only, request } from './test-audit.js';
import type { From } from './test-audit.js';

// Sign-ins, sessions, accounts and settings write their audit entries through the real
// routes: actor, target, the request's address and user agent, never a secret.

const ALICE: From = { ip: '203.0.113.10', userAgent: 'AuditTest/1.0 (alice)' };
const MALLORY: From = { ip: '198.51.100.66', userAgent: 'curl/8.0 (mallory)' };

type Setup = { dialect: Dialect; redis: boolean };
const setups: Setup[] = [
  ...dialects.map((dialect) => ({ dialect, redis: false })),
  // The login throttle and the bus shared through Redis (scale-out), on the main dialect.
  ...(TEST_REDIS_URL ? [{ dialect: dialects[dialects.length - 1]!, redis: true }] : []),
];

describe.each(setups)('audit of accounts on $dialect (redis: $redis)', ({ dialect, redis }) => {
  let t: TestApp;
  let close: () => Promise<void>;

  beforeEach(async () => {
    const clock = new ManualClock(new Date());
    const d = await testDeployment({
      live: redis ? 'redis' : 'memory',
      dialect,
      clock,
      processes: 1,
    });
    t = d.apps[0]!;
    close = d.close;
  });
  afterEach(async () => close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    opts: Parameters<typeof request>[3] = {},
  ) => request(t.app, method, url, opts);

  async function register(from: From = ALICE) {
    const acct = newAccount('audit');
    const res = await call('POST', '/api/auth/register', { body: acct, from });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return {
      acct,
      id: res.body.user.id as string,
      token: res.body.tokens.accessToken as string,
      refreshToken: res.body.tokens.refreshToken as string,
    };
  }
  async function admin() {
    const a = await register();
    await t.db.db.updateTable('users').set({ role: 'admin' }).where('id', '=', a.id).execute();
    return a;
  }

  it('registration records the new account as actor and target, with address and agent', async () => {
    const a = await register();
    const e = await only(t.db.db, 'auth.register', a.id);
    expect(e).toMatchObject({
      actorId: a.id,
      targetType: 'user',
      ip: ALICE.ip,
      userAgent: ALICE.userAgent,
      details: { role: 'member' },
    });
    expect(e.raw).not.toContain(a.acct.password);
  });

  it('registration with an invite names the invite by the digest invite.created uses, never its code', async () => {
    const root = await admin();
    const host = await register();
    const patched = await call('PATCH', '/api/admin/settings', {
      token: root.token,
      body: { registration: 'invite-only' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const made = await call('POST', '/api/rooms', {
      token: host.token,
      body: { name: 'Audit', visibility: 'private', entry: 'open' },
    });
    const roomId = made.body.room.id as string;
    const invited = await call('POST', `/api/rooms/${roomId}/invites`, {
      token: host.token,
      body: { expiresInMinutes: 60 },
    });
    const code = invited.body.invite.code as string;
    const res = await call('POST', '/api/auth/register', {
      body: { ...newAccount('invited'), inviteToken: code },
      from: ALICE,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);

    const created = await only(t.db.db, 'invite.created', roomId);
    const e = await only(t.db.db, 'auth.register', res.body.user.id as string);
    expect(e.details).toEqual({ role: 'member', invite: created.details.invite });
    expect(e.raw).not.toContain(code);
  });

  it('a guest records auth.guest for the new guest', async () => {
    const res = await call('POST', '/api/auth/guest', {
      body: { displayName: 'Gus' },
      from: ALICE,
    });
    expect(res.status).toBe(201);
    const id = res.body.user.id as string;
    expect(await only(t.db.db, 'auth.guest', id)).toMatchObject({
      actorId: id,
      targetType: 'user',
      ip: ALICE.ip,
      userAgent: ALICE.userAgent,
      details: { via: 'guest' },
    });
  });

  it('a sign-in records auth.login for the user, from where it came', async () => {
    const a = await register();
    const res = await call('POST', '/api/auth/login', {
      body: { email: a.acct.email, password: a.acct.password },
      from: MALLORY,
    });
    expect(res.status).toBe(200);
    expect(await only(t.db.db, 'auth.login', a.id)).toMatchObject({
      actorId: a.id,
      targetType: 'user',
      ip: MALLORY.ip,
      userAgent: MALLORY.userAgent,
    });
  });

  it('a failed sign-in records the normalized email of an account as target and never the password', async () => {
    const a = await register();
    const wrong = 'not-the-password-XYZZY';
    const res = await call('POST', '/api/auth/login', {
      body: { email: `  ${a.acct.email.toUpperCase()} `, password: wrong },
      from: MALLORY,
    });
    expect(res.status).toBe(401);

    const e = await only(t.db.db, 'auth.login_failed');
    expect(e).toMatchObject({
      actorId: null,
      targetType: 'email',
      targetId: a.acct.email.toLowerCase(),
      ip: MALLORY.ip,
      userAgent: MALLORY.userAgent,
      details: { reason: 'wrong_password' },
    });
    expect(e.raw).not.toContain(wrong);
    expect(await entries(t.db.db, { type: 'auth.login' })).toEqual([]);
  });

  it('an address no account has is recorded only as a keyed digest and its domain, the same for each try', async () => {
    const login = (email: string) =>
      call('POST', '/api/auth/login', { body: { email, password: 'guess' }, from: MALLORY });
    expect((await login('Nobody@Example.org')).status).toBe(401);
    expect((await login('nobody@example.org ')).status).toBe(401);
    expect((await login('someone.else@example.net')).status).toBe(401);

    const failed = await entries(t.db.db, { type: 'auth.login_failed' });
    // HMAC-SHA256 under a key derived from the JWT secret, of the normalized address.
    const key = createHmac('sha256', testConfig().jwtSecret)
      .update('parley:audit:unknown-email')
      .digest();
    const digest = `hmac:${createHmac('sha256', key).update('nobody@example.org').digest('hex').slice(0, 32)}`;
    expect(failed.map((e) => [e.targetType, e.targetId, e.details])).toEqual([
      ['email', digest, { reason: 'unknown_email', domain: 'example.org' }],
      ['email', digest, { reason: 'unknown_email', domain: 'example.org' }],
      [
        'email',
        expect.not.stringMatching(digest),
        { reason: 'unknown_email', domain: 'example.net' },
      ],
    ]);
    // Throttled tries at that address are named the same way.
    for (let i = 0; i < 3; i++) expect((await login('nobody@example.org')).status).toBe(401);
    expect((await login('nobody@example.org')).status).toBe(429);
    const held = await only(t.db.db, 'auth.login_throttled');
    expect(held).toMatchObject({ targetType: 'email', targetId: digest });
    expect(held.details).toMatchObject({ domain: 'example.org' });

    for (const e of [...failed, held]) {
      expect(e.raw.toLowerCase()).not.toContain('nobody@');
      expect(e.raw).not.toContain('someone.else');
    }
  });

  it('a disabled account signing in with the right password is a failure with its reason', async () => {
    const root = await admin();
    const a = await register();
    await call('PATCH', `/api/admin/users/${a.id}`, {
      token: root.token,
      body: { disabled: true },
    });
    const res = await call('POST', '/api/auth/login', {
      body: { email: a.acct.email, password: a.acct.password },
    });
    expect(res.status).toBe(403);
    const e = await only(t.db.db, 'auth.login_failed', a.acct.email.toLowerCase());
    expect(e.details).toEqual({ reason: 'account_disabled' });
  });

  it('every sign-in attempt is recorded exactly once: each failure, then each throttled one', async () => {
    const a = await register();
    const statuses: number[] = [];
    // Until the throttle answers (however it counts), then twice more.
    for (let i = 0; i < 60 && statuses.filter((s) => s === 429).length < 2; i++) {
      const res = await call('POST', '/api/auth/login', {
        body: { email: a.acct.email, password: `wrong-${i}` },
        from: MALLORY,
      });
      statuses.push(res.status);
    }
    const throttled = statuses.filter((s) => s === 429).length;
    expect(throttled).toBe(2);
    const failed = await entries(t.db.db, { type: 'auth.login_failed' });
    const held = await entries(t.db.db, { type: 'auth.login_throttled' });
    expect(failed).toHaveLength(statuses.filter((s) => s === 401).length);
    expect(held).toHaveLength(throttled);
    expect(held[0]).toMatchObject({
      actorId: null,
      targetType: 'email',
      targetId: a.acct.email.toLowerCase(),
      ip: MALLORY.ip,
      userAgent: MALLORY.userAgent,
    });
    expect(held[0]!.details.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('a logout records auth.logout once for its session; a second one adds nothing', async () => {
    const a = await register();
    for (let i = 0; i < 2; i++) {
      const res = await call('POST', '/api/auth/logout', {
        body: { refreshToken: a.refreshToken },
        from: ALICE,
      });
      expect(res.status).toBe(204);
    }
    expect(await only(t.db.db, 'auth.logout', a.id)).toMatchObject({
      actorId: a.id,
      targetType: 'user',
      ip: ALICE.ip,
    });
  });

  it('a replayed refresh token records auth.refresh_reuse against its owner, without the token', async () => {
    const a = await register();
    const first = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: a.refreshToken },
    });
    expect(first.status).toBe(200);
    const replay = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: a.refreshToken },
      from: MALLORY,
    });
    expect(replay.status).toBe(401);
    const e = await only(t.db.db, 'auth.refresh_reuse', a.id);
    expect(e).toMatchObject({
      actorId: null,
      targetType: 'user',
      ip: MALLORY.ip,
      userAgent: MALLORY.userAgent,
      details: { sessionRevoked: true },
    });
    expect(e.raw).not.toContain(a.refreshToken);
  });

  it('role changes, disabling and enabling are recorded once each, by the admin, about the user', async () => {
    const root = await admin();
    const a = await register();
    const patch = (body: unknown) =>
      call('PATCH', `/api/admin/users/${a.id}`, { token: root.token, body, from: ALICE });
    expect((await patch({ role: 'provider' })).status).toBe(200);
    expect((await patch({ role: 'provider' })).status).toBe(200); // no change: no entry
    expect((await patch({ disabled: true })).status).toBe(200);
    expect((await patch({ disabled: true })).status).toBe(200); // already: no entry
    expect((await patch({ disabled: false })).status).toBe(200);

    const about = await entries(t.db.db, {
      type: ['user.role_changed', 'user.disabled', 'user.enabled'],
      targetId: a.id,
    });
    expect(about.map((e) => [e.type, e.details])).toEqual([
      ['user.role_changed', { from: 'member', to: 'provider' }],
      ['user.disabled', {}],
      ['user.enabled', {}],
    ]);
    for (const e of about) {
      expect(e).toMatchObject({ actorId: root.id, targetType: 'user', ip: ALICE.ip });
    }
  });

  it('a settings change is recorded with what changed, by the admin', async () => {
    const root = await admin();
    const res = await call('PATCH', '/api/admin/settings', {
      token: root.token,
      body: { audit: { retentionDays: 30 } },
      from: ALICE,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const e = await only(t.db.db, 'settings.changed');
    expect(e).toMatchObject({ actorId: root.id, targetType: 'settings', ip: ALICE.ip });
    expect(e.details.audit).toMatchObject({ to: { retentionDays: 30 } });
  });
});
