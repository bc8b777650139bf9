import type { Db } from '../../platform/db/database.js';
import { prepared } from '../../platform/db/prepared.js';
import { toUser } from '../users/index.js';
import type { UserRecord } from '../users/index.js';
import type { RefreshTokensTable } from '../../platform/db/schema.js';

/**
 * A session (family) is active when it has tokens of this user and none was revoked: a
 * family is revoked as a whole, so one revoked row ends it. PostgreSQL returns counts as
 * strings (bigint), SQLite as numbers.
 */
function sessionActive(tokens: unknown, revoked: unknown): boolean {
  return Number(tokens ?? 0) > 0 && Number(revoked ?? 0) === 0;
}

export function createRefreshTokensRepo(db: Db) {
  // Every authenticated request and hello: the user and their session in one statement.
  const userAndSession = prepared((q: Db, userId: string, familyId: string) =>
    q
      .selectFrom('users')
      .selectAll('users')
      .select((eb) => [
        eb
          .selectFrom('refresh_tokens')
          .select((sub) => sub.fn.countAll().as('n'))
          .where('family_id', '=', familyId)
          .whereRef('refresh_tokens.user_id', '=', 'users.id')
          .as('session_tokens'),
        eb
          .selectFrom('refresh_tokens')
          .select((sub) => sub.fn.count('revoked_at').as('n'))
          .where('family_id', '=', familyId)
          .whereRef('refresh_tokens.user_id', '=', 'users.id')
          .as('session_revoked'),
      ])
      .where('users.id', '=', userId),
  );
  return {
    /**
     * The user (undefined when there is none) and whether the session is active, as
     * `isSessionActive` says, in one statement.
     */
    async userWithSession(
      userId: string,
      familyId: string,
    ): Promise<{ user: UserRecord; sessionActive: boolean } | undefined> {
      const row = (await userAndSession(db, userId, familyId)).rows[0];
      if (!row) return undefined;
      const { session_tokens, session_revoked, ...user } = row;
      return { user: toUser(user), sessionActive: sessionActive(session_tokens, session_revoked) };
    },
    async insert(row: Omit<RefreshTokensTable, 'used_at' | 'revoked_at'>): Promise<void> {
      await db
        .insertInto('refresh_tokens')
        .values({ ...row, used_at: null, revoked_at: null })
        .execute();
    },
    async findByHash(tokenHash: string): Promise<RefreshTokensTable | undefined> {
      return db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    /**
     * Marks a token used only if it was still unused and unrevoked. Returns false when
     * another request got there first: the conditional update is what makes two
     * concurrent refreshes with one token yield exactly one new pair.
     */
    async markUsed(id: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('refresh_tokens')
        .set({ used_at: at })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },
    /**
     * Ends a sign-in session: every token of the family, used ones included, is marked
     * revoked, which is what `isSessionActive` reads. Returns the rows changed.
     */
    async revokeFamily(familyId: string, at: string): Promise<number> {
      const res = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: at })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    /** Ends every sign-in session of a user (account disabled). Returns the rows changed. */
    async revokeAllForUser(userId: string, at: string): Promise<number> {
      const res = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    /**
     * Whether the session (family) exists for this user and was never revoked (the refresh
     * flow; requests read it with the user, `userWithSession`). One aggregate over the
     * `family_id` index.
     */
    async isSessionActive(familyId: string, userId: string): Promise<boolean> {
      const row = await db
        .selectFrom('refresh_tokens')
        .select((eb) => [eb.fn.countAll().as('tokens'), eb.fn.count('revoked_at').as('revoked')])
        .where('family_id', '=', familyId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return sessionActive(row?.tokens, row?.revoked);
    },
    /** Housekeeping: drops rows that expired long ago. */
    async deleteExpiredBefore(at: string): Promise<number> {
      const res = await db
        .deleteFrom('refresh_tokens')
        .where('expires_at', '<', at)
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
export type RefreshTokensRepo = ReturnType<typeof createRefreshTokensRepo>;
