import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite driver calls `prepare` for every query, and compiling the SQL was ~19 %
 * of a socket join's CPU. Kysely emits the same text for the same query shape (values are
 * parameters), so statements are kept by their SQL, least recently used dropped first.
 *
 * A kept statement stays valid across schema changes: SQLite re-prepares it on its own
 * when the schema changed (sqlite3_prepare_v2/v3), so `select *` sees an added column and
 * a dropped table fails just as a fresh prepare would. The cache is cleared after
 * migrations anyway, so their one-off statements do not sit in it.
 */
export type CachingSqliteDatabase = SqliteDatabase & {
  /** Statements kept now (tests, diagnostics). */
  readonly size: number;
  clear(): void;
};

export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

export function cachingDatabase(
  sqlite: SQLite.Database,
  maxSize = DEFAULT_STATEMENT_CACHE_SIZE,
): CachingSqliteDatabase {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the LRU one.
  const statements = new Map<string, SQLite.Statement>();
  return {
    get size() {
      return statements.size;
    },
    clear() {
      statements.clear();
    },
    close() {
      statements.clear();
      sqlite.close();
    },
    prepare(sql: string): SqliteStatement {
      const kept = statements.get(sql);
      if (kept) {
        // A statement still iterating (a streamed query) cannot run twice at once.
        if (kept.busy) return sqlite.prepare(sql);
        statements.delete(sql);
        statements.set(sql, kept);
        return kept;
      }
      const stmt = sqlite.prepare(sql);
      statements.set(sql, stmt);
      if (statements.size > maxSize) {
        statements.delete(statements.keys().next().value as string);
      }
      return stmt;
    },
  };
}
