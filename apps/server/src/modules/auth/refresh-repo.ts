import type { Db } from '../../platform/db/database.js';
import type { RefreshTokensTable } from '../../platform/db/schema.js';

export function createRefreshTokensRepo(db: Db) {
  return {
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
    async revoke(id: string, at: string): Promise<void> {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeFamily(familyId: string, at: string): Promise<void> {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: at })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllForUser(userId: string, at: string): Promise<void> {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
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
