import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, json, newAccount, testApp, testConfig } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';

// Every auth rule on every dialect: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
describe.each(dialects)('auth routes on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(new Date());
    t = await testApp({ dialect, clock });
  });
  afterEach(async () => {
    await t.close();
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      ...json(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const me = (token?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  function expectError(res: { statusCode: number; json(): any }, status: number, code: string) {
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(typeof body.error.requestId).toBe('string');
    expect(new Date(body.error.timestamp).toString()).not.toBe('Invalid Date');
    return body.error;
  }

  describe('POST /api/auth/register', () => {
    it('creates a member and returns tokens', async () => {
      const acct = newAccount();
      const res = await post('/api/auth/register', acct);
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.user).toMatchObject({
        email: acct.email,
        displayName: acct.displayName,
        role: 'member',
        isGuest: false,
      });
      expect(body.user.passwordHash).toBeUndefined();
      expect(body.tokens.accessToken.split('.')).toHaveLength(3);
      expect(body.tokens.refreshToken.length).toBeGreaterThanOrEqual(40);
      expect((await me(body.tokens.accessToken)).json().user.id).toBe(body.user.id);
    });

    it('refuses a duplicate email regardless of case with 409 EMAIL_TAKEN', async () => {
      const acct = newAccount();
      expect((await post('/api/auth/register', acct)).statusCode).toBe(201);
      const res = await post('/api/auth/register', {
        ...acct,
        email: `  ${acct.email.toUpperCase()} `,
      });
      const err = expectError(res, 409, 'EMAIL_TAKEN');
      expect(err.details.fields.email).toBeDefined();
    });

    it('answers a weak password and a bad email with 400 and per-field details', async () => {
      const res = await post('/api/auth/register', {
        email: 'not-an-email',
        password: 'short',
        displayName: 'Ann',
      });
      const err = expectError(res, 400, 'VALIDATION_FAILED');
      expect(Object.keys(err.details.fields).sort()).toEqual(['email', 'password']);
    });

    it.each([
      ['no body', undefined],
      ['an array', []],
      ['missing fields', { email: 'a@b.org' }],
      ['wrong types', { email: 1, password: true, displayName: {} }],
      ['a control character in the name', { ...newAccount(), displayName: 'evil\nname' }],
    ])('rejects %s with 400', async (_name, body) => {
      const res =
        body === undefined
          ? await t.app.inject({
              method: 'POST',
              url: '/api/auth/register',
              headers: { 'content-type': 'application/json' },
              payload: '',
            })
          : await post('/api/auth/register', body);
      expect(res.statusCode).toBe(400);
      expect(['VALIDATION_FAILED', 'INVALID_JSON']).toContain(res.json().error.code);
    });
  });

  describe('POST /api/auth/login', () => {
    it('signs in with the right password, case-insensitive email', async () => {
      const acct = newAccount();
      await post('/api/auth/register', acct);
      const res = await post('/api/auth/login', {
        email: acct.email.toUpperCase(),
        password: acct.password,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.email).toBe(acct.email);
      expect(res.json().user.lastSeenAt).toBeNull(); // the response user was read before the touch
      const meRes = await me(res.json().tokens.accessToken);
      expect(meRes.json().user.lastSeenAt).not.toBeNull();
    });

    it('gives the same 401 INVALID_CREDENTIALS for a wrong password and an unknown email', async () => {
      const acct = newAccount();
      await post('/api/auth/register', acct);
      const wrong = expectError(
        await post('/api/auth/login', { email: acct.email, password: 'wrong password 1' }),
        401,
        'INVALID_CREDENTIALS',
      );
      const unknown = expectError(
        await post('/api/auth/login', {
          email: 'nobody@example.org',
          password: 'wrong password 1',
        }),
        401,
        'INVALID_CREDENTIALS',
      );
      expect(wrong.message).toBe(unknown.message);
    });

    it('throttles the address after 5 failures on an account (429 with Retry-After), not the account: its owner signs in from elsewhere', async () => {
      const acct = newAccount();
      await post('/api/auth/register', acct);
      const from = (ip: string, password: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: ip,
          ...json({ email: acct.email, password }),
        });
      for (let i = 0; i < 5; i++) {
        expect((await from('198.51.100.66', 'wrong password 1')).statusCode).toBe(401);
      }
      // That address is held back on this account, whatever it sends…
      const res = await from('198.51.100.66', acct.password);
      expectError(res, 429, 'TOO_MANY_ATTEMPTS');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // …while the owner, from another address, gets in at once (this used to be 429).
      expect((await from('192.0.2.10', acct.password)).statusCode).toBe(200);
      // Another account from the attacker's address is not blocked by this account's failures.
      const other = newAccount();
      await post('/api/auth/register', other);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            remoteAddress: '198.51.100.66',
            ...json({ email: other.email, password: other.password }),
          })
        ).statusCode,
      ).toBe(200);
      // The lockout passes: the right password works from that address again.
      clock.advance(Number(res.headers['retry-after']) * 1000);
      expect((await from('198.51.100.66', acct.password)).statusCode).toBe(200);
    });

    it('throttles an IP that sprays many accounts', async () => {
      await t.close();
      t = await testApp({
        dialect,
        clock,
        config: { loginThrottle: { ...testConfig().loginThrottle, perIp: 3, windowMs: 60_000 } },
      });
      for (let i = 0; i < 3; i++) {
        expect(
          (
            await post('/api/auth/login', {
              email: `spray${i}@example.org`,
              password: 'guess guess 1',
            })
          ).statusCode,
        ).toBe(401);
      }
      expectError(
        await post('/api/auth/login', { email: 'spray9@example.org', password: 'guess guess 1' }),
        429,
        'TOO_MANY_ATTEMPTS',
      );
    });
  });

  describe('access tokens', () => {
    async function registered() {
      const res = await post('/api/auth/register', newAccount());
      return res.json<{
        user: { id: string };
        tokens: { accessToken: string; refreshToken: string };
      }>();
    }
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

    it('GET /me without a token is 401 UNAUTHENTICATED with a WWW-Authenticate header', async () => {
      const res = await me();
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toContain('Bearer');
    });

    it('refuses an expired token with 401 TOKEN_EXPIRED', async () => {
      const { tokens } = await registered();
      clock.advance(15 * 60_000 + 10_000);
      expectError(await me(tokens.accessToken), 401, 'TOKEN_EXPIRED');
    });

    it('refuses alg:none', async () => {
      const { tokens, user } = await registered();
      const [header] = tokens.accessToken.split('.');
      const h = JSON.parse(Buffer.from(header!, 'base64url').toString());
      const none = `${b64({ ...h, alg: 'none' })}.${b64({ sub: user.id, iss: 'parley', aud: 'parley', iat: 1, exp: 9999999999 })}.`;
      expectError(await me(none), 401, 'INVALID_TOKEN');
    });

    it('refuses a token signed with another key, even with the right kid', async () => {
      const { tokens, user } = await registered();
      const [header] = tokens.accessToken.split('.');
      const now = Math.floor(Date.now() / 1000);
      const payload = b64({
        sub: user.id,
        iss: 'parley',
        aud: 'parley',
        iat: now,
        nbf: now,
        exp: now + 600,
      });
      const sig = createHmac('sha256', 'another-secret-another-secret-another')
        .update(`${header}.${payload}`)
        .digest('base64url');
      expectError(await me(`${header}.${payload}.${sig}`), 401, 'INVALID_TOKEN');
    });

    it('refuses a tampered payload (another user id)', async () => {
      const { tokens } = await registered();
      const [h, p, s] = tokens.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      const forged = `${h}.${b64({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${s}`;
      expectError(await me(forged), 401, 'INVALID_TOKEN');
    });

    it('refuses garbage and a malformed Authorization header', async () => {
      expectError(await me('not.a.jwt'), 401, 'INVALID_TOKEN');
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: 'Basic abc' },
      });
      expectError(res, 401, 'INVALID_TOKEN');
    });

    it('refuses a valid token whose account is disabled', async () => {
      const { tokens, user } = await registered();
      await t.db.db
        .updateTable('users')
        .set({ disabled_at: new Date().toISOString() })
        .where('id', '=', user.id)
        .execute();
      expectError(await me(tokens.accessToken), 403, 'ACCOUNT_DISABLED');
    });
  });

  describe('refresh tokens', () => {
    it('rotate on every use: the new pair works, the old refresh token is spent', async () => {
      const first = (await post('/api/auth/register', newAccount())).json();
      const r1 = await post('/api/auth/refresh', { refreshToken: first.tokens.refreshToken });
      expect(r1.statusCode).toBe(200);
      const second = r1.json();
      expect(second.tokens.refreshToken).not.toBe(first.tokens.refreshToken);
      expect((await me(second.tokens.accessToken)).statusCode).toBe(200);
      const r2 = await post('/api/auth/refresh', { refreshToken: second.tokens.refreshToken });
      expect(r2.statusCode).toBe(200);
    });

    it('reuse of a rotated token revokes the whole family', async () => {
      const first = (await post('/api/auth/register', newAccount())).json();
      const second = (
        await post('/api/auth/refresh', { refreshToken: first.tokens.refreshToken })
      ).json();
      // An attacker replays the first token: refused, and the family dies.
      expectError(
        await post('/api/auth/refresh', { refreshToken: first.tokens.refreshToken }),
        401,
        'REFRESH_TOKEN_REUSED',
      );
      // The legitimate holder's current token is now revoked too (its session ended; that
      // token was never exchanged, so presenting it is no reuse).
      expectError(
        await post('/api/auth/refresh', { refreshToken: second.tokens.refreshToken }),
        401,
        'SESSION_REVOKED',
      );
    });

    it('another login session (another family) survives a family revocation', async () => {
      const acct = newAccount();
      const a = (await post('/api/auth/register', acct)).json();
      const b = (
        await post('/api/auth/login', { email: acct.email, password: acct.password })
      ).json();
      await post('/api/auth/refresh', { refreshToken: a.tokens.refreshToken });
      await post('/api/auth/refresh', { refreshToken: a.tokens.refreshToken }); // reuse -> family A revoked
      expect(
        (await post('/api/auth/refresh', { refreshToken: b.tokens.refreshToken })).statusCode,
      ).toBe(200);
    });

    it('two concurrent refreshes with one token yield exactly one new pair', async () => {
      const first = (await post('/api/auth/register', newAccount())).json();
      const results = await Promise.all([
        post('/api/auth/refresh', { refreshToken: first.tokens.refreshToken }),
        post('/api/auth/refresh', { refreshToken: first.tokens.refreshToken }),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    });

    it('an unknown or expired refresh token is 401 INVALID_REFRESH_TOKEN', async () => {
      expectError(
        await post('/api/auth/refresh', { refreshToken: 'x'.repeat(43) }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      const first = (await post('/api/auth/register', newAccount())).json();
      clock.advance(31 * 24 * 3600_000);
      expectError(
        await post('/api/auth/refresh', { refreshToken: first.tokens.refreshToken }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
    });

    it('logout revokes the refresh token; logging out twice is harmless', async () => {
      const first = (await post('/api/auth/register', newAccount())).json();
      expect(
        (await post('/api/auth/logout', { refreshToken: first.tokens.refreshToken })).statusCode,
      ).toBe(204);
      expect(
        (await post('/api/auth/logout', { refreshToken: first.tokens.refreshToken })).statusCode,
      ).toBe(204);
      expect(
        (await post('/api/auth/refresh', { refreshToken: first.tokens.refreshToken })).statusCode,
      ).toBe(401);
    });

    it('stores only a hash of refresh tokens', async () => {
      const first = (await post('/api/auth/register', newAccount())).json();
      const rows = await t.db.db.selectFrom('refresh_tokens').select('token_hash').execute();
      expect(rows.length).toBe(1);
      expect(rows[0]!.token_hash).not.toBe(first.tokens.refreshToken);
    });
  });

  describe('POST /api/auth/guest', () => {
    it('creates a guest with a display name and no email', async () => {
      const res = await post('/api/auth/guest', { displayName: '  Guest Gary ' });
      expect(res.statusCode).toBe(201);
      expect(res.json().user).toMatchObject({
        isGuest: true,
        email: null,
        displayName: 'Guest Gary',
        role: 'member',
      });
      expect((await me(res.json().tokens.accessToken)).json().user.isGuest).toBe(true);
    });

    it('rejects an empty or overlong name', async () => {
      expectError(await post('/api/auth/guest', { displayName: '   ' }), 400, 'VALIDATION_FAILED');
      expectError(
        await post('/api/auth/guest', { displayName: 'x'.repeat(65) }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('request rate limit', () => {
    it('answers 429 RATE_LIMITED in the error shape past the per-IP ceiling', async () => {
      await t.close();
      t = await testApp({ dialect, clock, config: { rateLimitMax: 200 } }); // auth routes: 200/20 = 10 a minute
      const codes: number[] = [];
      for (let i = 0; i < 11; i++)
        codes.push((await post('/api/auth/guest', { displayName: `g${i}` })).statusCode);
      expect(codes.slice(0, 10).every((c) => c === 201)).toBe(true);
      const res = await post('/api/auth/guest', { displayName: 'one too many' });
      expectError(res, 429, 'RATE_LIMITED');
    });
  });
});
