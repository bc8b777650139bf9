import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { createUsersRepo } from '../users/index.js';
import { dialects, json, newAccount, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';

// SCRYPT_COST and ACCESS_TOKEN_TTL_SECONDS as the running app uses them (config.test.ts
// checks the variables become `scryptCost` and `accessTokenTtlSeconds`).
describe.each(dialects)('operator auth settings on %s', (dialect) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    // The second "process" reuses the first's database, so it closes first.
    for (const t of apps.reverse()) await t.close();
    apps.length = 0;
  });
  async function start(opts: Parameters<typeof testApp>[0]): Promise<TestApp> {
    const t = await testApp({ dialect, ...opts });
    apps.push(t);
    return t;
  }
  const post = (t: TestApp, url: string, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url,
      ...json(body),
      headers: { 'content-type': 'application/json' },
    });
  const storedHash = async (t: TestApp, email: string) =>
    (
      await t.db.db
        .selectFrom('users')
        .select('password_hash')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).password_hash;

  it('new hashes use the configured scrypt cost; a hash made at another cost still signs in and is made again at the new cost', async () => {
    const before = await start({ config: { scryptCost: 2 ** 10 } });
    const old = newAccount();
    expect((await post(before, '/api/auth/register', old)).statusCode).toBe(201);
    expect(await storedHash(before, old.email)).toMatch(/^scrypt\$1024\$8\$1\$/);

    // The operator raised SCRYPT_COST: the same database, a process with the new cost.
    const after = await start({ config: { scryptCost: 2 ** 11 }, db: before.db });
    const login = await post(after, '/api/auth/login', {
      email: old.email,
      password: old.password,
    });
    expect(login.statusCode).toBe(200);
    // The sign-in knew the password: the hash is made again at the new cost, and still works.
    expect(await storedHash(after, old.email)).toMatch(/^scrypt\$2048\$8\$1\$/);
    const again = await post(after, '/api/auth/login', {
      email: old.email,
      password: old.password,
    });
    expect(again.statusCode).toBe(200);
    const wrong = await post(after, '/api/auth/login', {
      email: old.email,
      password: 'not it at all',
    });
    expect(wrong.statusCode).toBe(401);
    expect(await storedHash(after, old.email)).toMatch(/^scrypt\$2048\$/);
    const fresh = newAccount();
    expect((await post(after, '/api/auth/register', fresh)).statusCode).toBe(201);
    expect(await storedHash(after, fresh.email)).toMatch(/^scrypt\$2048\$8\$1\$/);
  });

  it('the rehash at sign-in never writes over a password changed meanwhile', async () => {
    const t = await start({});
    const acct = newAccount();
    expect((await post(t, '/api/auth/register', acct)).statusCode).toBe(201);
    const users = createUsersRepo(t.db.db);
    const { id } = (await users.findByEmail(acct.email))!;
    const read = String(await storedHash(t, acct.email));
    // Changed between the sign-in's read and its rehash: the swap from the old hash fails.
    await users.setPassword(id, 'scrypt$2$8$1$changed$meanwhile');
    expect(await users.replacePasswordHash(id, read, 'scrypt$4$8$1$stale$rehash')).toBe(false);
    expect(await storedHash(t, acct.email)).toBe('scrypt$2$8$1$changed$meanwhile');
    expect(
      await users.replacePasswordHash(id, 'scrypt$2$8$1$changed$meanwhile', 'scrypt$4$8$1$a$b'),
    ).toBe(true);
    expect(await storedHash(t, acct.email)).toBe('scrypt$4$8$1$a$b');
  });

  it('access tokens live the configured lifetime: expiresAt says so and the API refuses them after it', async () => {
    const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));
    const t = await start({ clock, config: { accessTokenTtlSeconds: 60 } });
    const res = await post(t, '/api/auth/register', newAccount());
    expect(res.statusCode).toBe(201);
    const { accessToken, accessTokenExpiresAt } = res.json().tokens;
    expect(Date.parse(accessTokenExpiresAt) - clock.now().getTime()).toBe(60_000);
    const me = () =>
      t.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: `Bearer ${accessToken}` },
      });
    expect((await me()).statusCode).toBe(200);
    // 5 s of clock leeway past `exp`, then TOKEN_EXPIRED.
    clock.advance(64_000);
    expect((await me()).statusCode).toBe(200);
    clock.advance(1_000);
    const expired = await me();
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('TOKEN_EXPIRED');
  });
});
