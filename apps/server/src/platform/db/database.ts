import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { CompiledQuery, KyselyConfig } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { runsDirectly } from './prepared.js';
import { cachingDatabase } from './statement-cache.js';

export type Db = Kysely<Database>;

export type DbHandle = {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  /** Runs pending migrations; throws with the failing migration's name. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

export type DatabaseOptions = {
  /**
   * Told of every query run, as the database got it, however it was built (tests count the
   * queries of a hot path; prepared queries skip Kysely's plugins, so a plugin cannot).
   */
  onQuery?: (query: CompiledQuery) => void;
};

export function openDatabase(config: Config['database'], opts: DatabaseOptions = {}): DbHandle {
  const { onQuery } = opts;
  const log: KyselyConfig['log'] = onQuery
    ? (event) => {
        if (event.level === 'query') onQuery(event.query);
      }
    : undefined;
  if (config.kind === 'sqlite') {
    if (config.file !== ':memory:') makePrivate(config.file);
    const sqlite = new SQLite(config.file);
    // WAL lets readers proceed during a write; the busy timeout absorbs short lock waits
    // from a second process (e.g. `npm run admin:create` while the server runs).
    sqlite.pragma('journal_mode = WAL');
    // SQLite's advice for WAL: a commit no longer waits for fsync (better-sqlite3 waits on the
    // event loop: ~0.4 ms per write here, every socket and request stalled behind it). The
    // database stays consistent after any crash; a power cut or OS crash may lose the last
    // commits (docs/OPERATIONS.md).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const database = cachingDatabase(sqlite);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }), log });
    runsDirectly(db, { connection: sqlite, prepare: (q) => database.prepare(q), onQuery });
    return handle(db, 'sqlite', undefined, () => database.clear());
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    // A schema per test suite keeps parallel suites apart on one database.
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  return handle(db, 'postgres', config.schema, () => undefined);
}

/**
 * The database holds password and token hashes: only the server's user may read it, like
 * the jwt-secret beside it. The file exists with 0600 before SQLite opens it, and SQLite
 * gives its -wal, -shm and -journal files the database file's mode. Files left
 * world-readable by an older version are tightened on every start. A folder Parley makes
 * is 0700; one that already existed is the operator's (it may be the working directory or
 * $HOME) and is left as it is: the files in it are private either way.
 */
function makePrivate(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(f)) chmodSync(f, 0o600);
  }
}

function handle(
  db: Db,
  dialect: DbHandle['dialect'],
  schema: string | undefined,
  afterMigrations: () => void,
): DbHandle {
  return {
    db,
    dialect,
    async migrate() {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
      const migrator = new Migrator({
        db,
        provider: { getMigrations: () => Promise.resolve(migrations) },
        ...(schema ? { migrationTableSchema: schema } : {}),
      });
      const { error, results } = await migrator.migrateToLatest();
      afterMigrations();
      const failed = results?.find((r) => r.status === 'Error');
      if (error) {
        const name = failed ? ` (${failed.migrationName})` : '';
        throw new Error(
          `Database migration failed${name}: ${String((error as Error).message ?? error)}`,
          {
            cause: error,
          },
        );
      }
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Portable boolean columns are 0/1 integers. */
export const toBool = (v: number | boolean): boolean => v === true || v === 1;
export const fromBool = (v: boolean): number => (v ? 1 : 0);

/** True for a UNIQUE constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505'
  );
}
