import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { Compilable, CompiledQuery, Kysely, QueryResult, SqliteStatement } from 'kysely';

/** Stands in for the i-th value while the query is built; never a real value. */
const slot = (i: number) => `\u0000parley-slot-${i}\u0000`;

/**
 * A query built and compiled to SQL once, then run with new values on each call.
 *
 * Kysely builds an immutable tree and compiles it to SQL on every call; on the paths every
 * request and socket takes (the access token's user and session, hello's presence, a join's
 * seat) that was about a fifth of their CPU. `build` gets placeholders for its values, all
 * strings (ids, timestamps); each call puts its values in their places among the compiled
 * parameters, so what runs is exactly what Kysely would have sent. Values the builder
 * writes itself (constants, lists) stay as compiled.
 *
 * Compiled by the first executor that runs it: keep one per repo, since a repo is made for
 * one database (SQLite's `?` and PostgreSQL's `$1` differ). A transaction runs it too.
 *
 * On SQLite, run on the database itself (not a transaction) while no transaction is open,
 * it skips Kysely's executor and runs the statement at once (`runsDirectly`): Kysely
 * queues every query for its one connection behind a promise-based lock, and that queue,
 * its promises and their garbage cost more than the statement. While a transaction is
 * open it goes through Kysely and waits, as before: run at once, it would read the
 * transaction's uncommitted rows.
 */
export function prepared<DB, R, A extends string[]>(
  build: (q: Kysely<DB>, ...values: A) => Compilable<R>,
): (q: Kysely<DB>, ...values: A) => Promise<QueryResult<R>> {
  let compiled: { query: CompiledQuery<R>; bind: (values: A) => unknown[] } | undefined;
  return (q, ...values) => {
    try {
      compiled ??= compile(q, build, values.length);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const { query, bind } = compiled;
    const run = { ...query, parameters: bind(values) };
    const sqlite = direct.get(q);
    if (sqlite && !sqlite.connection.inTransaction) {
      try {
        return Promise.resolve(runNow(sqlite, run));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return q.executeQuery<R>(run);
  };
}

/** A SQLite database whose prepared queries may run without Kysely's executor. */
export type DirectSqlite = {
  connection: SqliteDatabase;
  /** The statement cache Kysely's driver uses too (statement-cache.ts). */
  prepare(sql: string): SqliteStatement;
  /** Told of each query run, as Kysely's `log` would be (database.ts `onQuery`). */
  onQuery?: ((query: CompiledQuery) => void) | undefined;
};

const direct = new WeakMap<object, DirectSqlite>();

/** Lets `prepared` queries run on `db` (a root SQLite Kysely) at once; database.ts. */
export function runsDirectly(db: object, sqlite: DirectSqlite): void {
  direct.set(db, sqlite);
}

/** What Kysely's SQLite driver answers for the statement, run now. */
function runNow<R>(sqlite: DirectSqlite, query: CompiledQuery<R>): QueryResult<R> {
  const stmt = sqlite.prepare(query.sql);
  let result: QueryResult<R>;
  if (stmt.reader) {
    result = { rows: stmt.all(query.parameters) as R[] };
  } else {
    const { changes, lastInsertRowid } = stmt.run(query.parameters);
    result = { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }
  sqlite.onQuery?.(query);
  return result;
}

function compile<DB, R, A extends string[]>(
  q: Kysely<DB>,
  build: (q: Kysely<DB>, ...values: A) => Compilable<R>,
  arity: number,
) {
  const slots = Array.from({ length: arity }, (_, i) => slot(i)) as A;
  const query = build(q, ...slots).compile();
  // For each compiled parameter: the index of the value it takes, or -1 (kept as compiled).
  const at = query.parameters.map((p) => slots.indexOf(p as string));
  const missing = slots.findIndex((s) => !query.parameters.includes(s));
  if (missing !== -1) throw new Error(`prepared query does not use its value #${missing}`);
  const bind = (values: A) => at.map((i, k) => (i === -1 ? query.parameters[k] : values[i]));
  return { query, bind };
}
