import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../platform/live/index.js';
import { createTokenService } from '../../platform/auth/tokens.js';
import { ManualClock } from '../../platform/clock.js';
import { dialects, json, newAccount, testApp, testConfig } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';

type Pair = { user: { id: string }; tokens: { accessToken: string; refreshToken: string } };

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('access token claims', () => {
  const secret = testConfig().jwtSecret;
  const tokens = createTokenService(secret);
  const now = new Date();

  it('carry the sign-in session as `sid`, and verifyAccess returns it', async () => {
    const { token, expiresAt } = await tokens.signAccess('user-1', 'family-1', now);
    expect(claimsOf(token)).toMatchObject({ sub: 'user-1', sid: 'family-1' });
    expect(await tokens.verifyAccess(token, now)).toEqual({
      userId: 'user-1',
      sessionId: 'family-1',
      expiresAt,
    });
  });

  it('a correctly signed token without `sid` is refused (it could never be revoked)', async () => {
    const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 12);
    const iat = Math.floor(now.getTime() / 1000);
    const noSid = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .setSubject('user-1')
      .setIssuer('parley')
      .setAudience('parley')
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + 600)
      .sign(new TextEncoder().encode(secret));
    await expect(tokens.verifyAccess(noSid, now)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
      status: 401,
    });
  });
});

// Revocation reaches access tokens, on every dialect.
describe.each(dialects)('sign-in sessions on %s', (dialect) => {
  let t: TestApp;
  let events: DomainEvent[];

  beforeEach(async () => {
    t = await testApp({ dialect, clock: new ManualClock(new Date()) });
    events = [];
    t.live.bus.on('session.revoked', (e) => void events.push(e));
  });
  afterEach(async () => {
    await t.close();
  });

  const post = (url: string, body: unknown) => t.app.inject({ method: 'POST', url, ...json(body) });
  const me = (token: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
  const expectError = (res: { statusCode: number; json(): any }, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  };
  const sid = (pair: Pair) => claimsOf(pair.tokens.accessToken).sid as string;
  const familyIds = async () =>
    (await t.db.db.selectFrom('refresh_tokens').select('family_id').execute()).map(
      (r) => r.family_id,
    );

  async function signUp(): Promise<Pair & { acct: ReturnType<typeof newAccount> }> {
    const acct = newAccount();
    return { acct, ...(await post('/api/auth/register', acct)).json<Pair>() };
  }

  it('every way of signing in names its session (the refresh-token family) in `sid`', async () => {
    const reg = await signUp();
    const login = (
      await post('/api/auth/login', { email: reg.acct.email, password: reg.acct.password })
    ).json<Pair>();
    const guest = (await post('/api/auth/guest', { displayName: 'Gus' })).json<Pair>();
    // A guest created by accepting an invite (auth.startSession).
    const auth = { authorization: `Bearer ${reg.tokens.accessToken}` };
    const room = await t.app.inject({
      method: 'POST',
      url: '/api/rooms',
      ...json({ name: 'Standup', visibility: 'private', entry: 'open' }),
      headers: { 'content-type': 'application/json', ...auth },
    });
    expect(room.statusCode).toBe(201);
    const invite = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.json().room.id}/invites`,
      ...json({ expiresInMinutes: 60 }),
      headers: { 'content-type': 'application/json', ...auth },
    });
    const invited = (
      await post(`/api/invites/${invite.json().invite.code}/accept`, { displayName: 'Ivy' })
    ).json<Pair>();
    expect((await me(invited.tokens.accessToken)).statusCode).toBe(200);

    const sids = [sid(reg), sid(login), sid(guest), sid(invited)];
    expect(new Set(sids).size).toBe(4);
    expect((await familyIds()).sort()).toEqual([...sids].sort());

    // A refresh stays in the session.
    const next = (
      await post('/api/auth/refresh', { refreshToken: reg.tokens.refreshToken })
    ).json<Pair>();
    expect(sid(next)).toBe(sid(reg));
  });

  it('sessionForAccessToken returns the user, the session and the expiry', async () => {
    const reg = await signUp();
    const s = await t.services.auth.sessionForAccessToken(reg.tokens.accessToken);
    expect(s.user.id).toBe(reg.user.id);
    expect(s.sessionId).toBe(sid(reg));
    expect(s.expiresAt.getTime()).toBe((claimsOf(reg.tokens.accessToken).exp as number) * 1000);
  });

  it('logout ends the session: its access tokens get 401 SESSION_REVOKED, other sessions live on', async () => {
    const reg = await signUp();
    const other = (
      await post('/api/auth/login', { email: reg.acct.email, password: reg.acct.password })
    ).json<Pair>();
    // Rotate once, then log out with the newest refresh token: the whole family ends,
    // including access tokens minted before the rotation.
    const rotated = (
      await post('/api/auth/refresh', { refreshToken: reg.tokens.refreshToken })
    ).json<Pair>();
    expect((await me(reg.tokens.accessToken)).statusCode).toBe(200);

    expect(
      (await post('/api/auth/logout', { refreshToken: rotated.tokens.refreshToken })).statusCode,
    ).toBe(204);

    expectError(await me(reg.tokens.accessToken), 401, 'SESSION_REVOKED');
    expectError(await me(rotated.tokens.accessToken), 401, 'SESSION_REVOKED');
    expect(
      (await post('/api/auth/refresh', { refreshToken: rotated.tokens.refreshToken })).statusCode,
    ).toBe(401);
    expect((await me(other.tokens.accessToken)).statusCode).toBe(200);
    await expect(
      t.services.auth.sessionForAccessToken(rotated.tokens.accessToken),
    ).rejects.toMatchObject({ code: 'SESSION_REVOKED', status: 401 });

    expect(events).toContainEqual({
      type: 'session.revoked',
      userId: reg.user.id,
      sessionId: sid(reg),
      reason: 'logout',
    });
    expect(events.every((e) => e.type === 'session.revoked' && e.sessionId === sid(reg))).toBe(
      true,
    );
  });

  it('a logged-out session is refused by other routes too (rooms)', async () => {
    const reg = await signUp();
    await post('/api/auth/logout', { refreshToken: reg.tokens.refreshToken });
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/rooms',
      headers: { authorization: `Bearer ${reg.tokens.accessToken}` },
    });
    expectError(res, 401, 'SESSION_REVOKED');
  });

  /** A session refreshed once, then its first refresh token replayed: refused as a reuse. */
  async function reuseAfterRotation() {
    const reg = await signUp();
    const rotated = (
      await post('/api/auth/refresh', { refreshToken: reg.tokens.refreshToken })
    ).json<Pair>();
    expectError(
      await post('/api/auth/refresh', { refreshToken: reg.tokens.refreshToken }),
      401,
      'REFRESH_TOKEN_REUSED',
    );
    return { reg, rotated };
  }

  it('refresh-token reuse ends the session: every access token of the family gets 401', async () => {
    const { reg, rotated } = await reuseAfterRotation();
    expectError(await me(reg.tokens.accessToken), 401, 'SESSION_REVOKED');
    expectError(await me(rotated.tokens.accessToken), 401, 'SESSION_REVOKED');
    expect(events).toContainEqual({
      type: 'session.revoked',
      userId: reg.user.id,
      sessionId: sid(reg),
      reason: 'reuse',
    });
  });

  // Only a token that was already exchanged is reuse; one that was merely revoked is the
  // answer for its ended session, with no reuse entry and no second announcement.
  const reuseEntries = () =>
    t.db.db
      .selectFrom('audit_events')
      .select('id')
      .where('type', '=', 'auth.refresh_reuse')
      .execute();

  it('the refresh token of a logged-out session is 401 SESSION_REVOKED, not reuse', async () => {
    const reg = await signUp();
    await post('/api/auth/logout', { refreshToken: reg.tokens.refreshToken });
    expect(events).toHaveLength(1);
    expectError(
      await post('/api/auth/refresh', { refreshToken: reg.tokens.refreshToken }),
      401,
      'SESSION_REVOKED',
    );
    expect(events).toEqual([
      { type: 'session.revoked', userId: reg.user.id, sessionId: sid(reg), reason: 'logout' },
    ]);
    expect(await reuseEntries()).toEqual([]);
  });

  it('the refresh token of a disabled account is 403 ACCOUNT_DISABLED, not reuse', async () => {
    const reg = await signUp();
    await t.db.db
      .updateTable('users')
      .set({ disabled_at: new Date().toISOString() })
      .where('id', '=', reg.user.id)
      .execute();
    await t.services.auth.revokeAllSessions(reg.user.id);
    expectError(
      await post('/api/auth/refresh', { refreshToken: reg.tokens.refreshToken }),
      403,
      'ACCOUNT_DISABLED',
    );
    expect(events).toEqual([]);
    expect(await reuseEntries()).toEqual([]);
  });

  it('after a reuse, the current token of the ended family is SESSION_REVOKED; reuse is recorded once', async () => {
    const { rotated } = await reuseAfterRotation();
    expectError(
      await post('/api/auth/refresh', { refreshToken: rotated.tokens.refreshToken }),
      401,
      'SESSION_REVOKED',
    );
    expect(events.map((e) => e.type === 'session.revoked' && e.reason)).toEqual(['reuse']);
    expect(await reuseEntries()).toHaveLength(1);
  });

  it('a guest who logs out is refused too', async () => {
    const guest = (await post('/api/auth/guest', { displayName: 'Gus' })).json<Pair>();
    await post('/api/auth/logout', { refreshToken: guest.tokens.refreshToken });
    expectError(await me(guest.tokens.accessToken), 401, 'SESSION_REVOKED');
  });

  it('logging out an unknown token announces nothing', async () => {
    expect((await post('/api/auth/logout', { refreshToken: 'x'.repeat(43) })).statusCode).toBe(204);
    expect(events).toEqual([]);
  });
});
