import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../platform/db/database.js';
import { dialects, testDatabase } from '../../test/harness.js';
import { createUsersRepo } from '../users/index.js';
import { createRefreshTokensRepo } from './refresh-repo.js';

describe.each(dialects)('refresh-token sessions on %s', (dialect) => {
  let h: DbHandle;
  beforeEach(async () => {
    h = await testDatabase(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  async function user(): Promise<string> {
    const u = await createUsersRepo(h.db).insertGuest('G', new Date().toISOString());
    return u.id;
  }
  const at = '2030-01-01T00:00:00.000Z';
  const token = (userId: string, family: string) => ({
    id: randomUUID(),
    user_id: userId,
    family_id: family,
    token_hash: randomUUID(),
    created_at: at,
    expires_at: at,
  });

  /** isSessionActive, and the same answer from userWithSession (the hot path's one read). */
  async function active(
    repo: ReturnType<typeof createRefreshTokensRepo>,
    family: string,
    userId: string,
  ): Promise<boolean> {
    const alone = await repo.isSessionActive(family, userId);
    const withUser = await repo.userWithSession(userId, family);
    expect(withUser?.user.id).toBe(userId);
    expect(withUser?.sessionActive).toBe(alone);
    return alone;
  }

  it('userWithSession: nothing for an unknown user, whatever the session', async () => {
    const repo = createRefreshTokensRepo(h.db);
    const a = await user();
    await repo.insert(token(a, 'f1'));
    expect(await repo.userWithSession(randomUUID(), 'f1')).toBeUndefined();
    expect((await repo.userWithSession(a, 'f1'))?.user).toMatchObject({ id: a, isGuest: true });
  });

  it('a session is active while none of its tokens is revoked, and only for its user', async () => {
    const repo = createRefreshTokensRepo(h.db);
    const [a, b] = [await user(), await user()];
    await repo.insert(token(a, 'f1'));
    await repo.insert(token(a, 'f1'));
    await repo.insert(token(a, 'f2'));
    expect(await active(repo, 'f1', a)).toBe(true);
    expect(await active(repo, 'f1', b)).toBe(false); // someone else's session
    expect(await active(repo, 'nope', a)).toBe(false); // unknown session

    expect(await repo.revokeFamily('f1', at)).toBe(2);
    expect(await repo.revokeFamily('f1', at)).toBe(0); // idempotent
    expect(await active(repo, 'f1', a)).toBe(false);
    expect(await active(repo, 'f2', a)).toBe(true);
    // A row added to a revoked family (a refresh racing a logout) does not revive it.
    await repo.insert(token(a, 'f1'));
    expect(await active(repo, 'f1', a)).toBe(false);
  });

  it('revokeAllForUser ends every session of that user only', async () => {
    const repo = createRefreshTokensRepo(h.db);
    const [a, b] = [await user(), await user()];
    await repo.insert(token(a, 'f1'));
    await repo.insert(token(a, 'f2'));
    await repo.insert(token(b, 'f3'));
    expect(await repo.revokeAllForUser(a, at)).toBe(2);
    expect(await active(repo, 'f1', a)).toBe(false);
    expect(await active(repo, 'f2', a)).toBe(false);
    expect(await active(repo, 'f3', b)).toBe(true);
  });
});
