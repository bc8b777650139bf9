import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRefreshTokensRepo } from '../modules/auth/index.js';
import { createUsersRepo } from '../modules/users/index.js';
import { isUniqueViolation } from '../platform/db/database.js';
import type { DbHandle } from '../platform/db/database.js';
import { dialects, testDatabase } from './harness.js';

// The same cases on every dialect: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
// It lives here, not in platform/db, because it drives the modules' repos (platform never
// imports modules; see .dependency-cruiser.cjs).
describe.each(dialects)('repository contract on %s', (dialect) => {
  let h: DbHandle;
  beforeEach(async () => {
    h = await testDatabase(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const newUser = (email: string | null = `${randomUUID()}@example.org`) => ({
    id: randomUUID(),
    email,
    passwordHash: 'scrypt$x',
    displayName: 'Zoë 🎥',
    role: 'member' as const,
    isGuest: email === null,
    createdAt: new Date().toISOString(),
  });

  it('migrations are idempotent', async () => {
    await h.migrate();
    await h.migrate();
    await h.ping();
  });

  it('round-trips a user with unicode, booleans and timestamps intact', async () => {
    const users = createUsersRepo(h.db);
    const u = newUser();
    await users.insert(u);
    const found = await users.findById(u.id);
    expect(found).toMatchObject({
      id: u.id,
      email: u.email,
      displayName: 'Zoë 🎥',
      isGuest: false,
      role: 'member',
      createdAt: u.createdAt,
      lastSeenAt: null,
    });
    expect(await users.findByEmail(u.email!)).toMatchObject({ id: u.id });
    expect(await users.findById(randomUUID())).toBeUndefined();
  });

  it('guests have no email and many guests can exist (NULLs are not unique-checked)', async () => {
    const users = createUsersRepo(h.db);
    await users.insert(newUser(null));
    await users.insert(newUser(null));
    const guests = await h.db
      .selectFrom('users')
      .select('is_guest')
      .where('email', 'is', null)
      .execute();
    expect(guests).toHaveLength(2);
  });

  it('a duplicate email is a unique violation the service can recognise', async () => {
    const users = createUsersRepo(h.db);
    await users.insert(newUser('same@example.org'));
    const err = await users.insert(newUser('same@example.org')).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('updates role, password, last seen and disabled flag', async () => {
    const users = createUsersRepo(h.db);
    const u = newUser();
    await users.insert(u);
    const at = new Date().toISOString();
    await users.setRole(u.id, 'provider');
    await users.setPassword(u.id, 'scrypt$new');
    await users.touchLastSeen(u.id, at);
    await users.setDisabled(u.id, at);
    expect(await users.findById(u.id)).toMatchObject({
      role: 'provider',
      passwordHash: 'scrypt$new',
      lastSeenAt: at,
      disabledAt: at,
    });
  });

  it('marks a refresh token used exactly once, even when raced', async () => {
    const users = createUsersRepo(h.db);
    const tokens = createRefreshTokensRepo(h.db);
    const u = newUser();
    await users.insert(u);
    const id = randomUUID();
    const now = new Date().toISOString();
    await tokens.insert({
      id,
      user_id: u.id,
      family_id: 'fam',
      token_hash: 'h1',
      created_at: now,
      expires_at: now,
    });
    const results = await Promise.all([
      tokens.markUsed(id, now),
      tokens.markUsed(id, now),
      tokens.markUsed(id, now),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await tokens.findByHash('h1'))?.used_at).toBe(now);
  });

  it('revokes a family without touching other families, and deletes expired rows', async () => {
    const users = createUsersRepo(h.db);
    const tokens = createRefreshTokensRepo(h.db);
    const u = newUser();
    await users.insert(u);
    const old = '2020-01-01T00:00:00.000Z';
    const later = '2999-01-01T00:00:00.000Z';
    for (const [hash, fam, exp] of [
      ['a', 'f1', later],
      ['b', 'f1', later],
      ['c', 'f2', later],
      ['d', 'f3', old],
    ] as const) {
      await tokens.insert({
        id: randomUUID(),
        user_id: u.id,
        family_id: fam,
        token_hash: hash,
        created_at: old,
        expires_at: exp,
      });
    }
    await tokens.revokeFamily('f1', later);
    expect((await tokens.findByHash('a'))?.revoked_at).toBe(later);
    expect((await tokens.findByHash('b'))?.revoked_at).toBe(later);
    expect((await tokens.findByHash('c'))?.revoked_at).toBeNull();
    expect(await tokens.deleteExpiredBefore('2021-01-01T00:00:00.000Z')).toBe(1);
    expect(await tokens.findByHash('d')).toBeUndefined();
  });

  it('deleting a user cascades to their refresh tokens', async () => {
    const users = createUsersRepo(h.db);
    const tokens = createRefreshTokensRepo(h.db);
    const u = newUser();
    await users.insert(u);
    const now = new Date().toISOString();
    await tokens.insert({
      id: randomUUID(),
      user_id: u.id,
      family_id: 'f',
      token_hash: 'z',
      created_at: now,
      expires_at: now,
    });
    await h.db.deleteFrom('users').where('id', '=', u.id).execute();
    expect(await tokens.findByHash('z')).toBeUndefined();
  });
});
