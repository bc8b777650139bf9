import { CompiledQuery, sql } from 'kysely';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { Db } from '../platform/db/database.js';

// Test support: the SQL a piece of code really runs, and PostgreSQL's plan for it, so a
// test can state "this list reads an index range" about the code itself, not a copy.

/** `db` with every query it runs kept, compiled, in order. */
export function capturing(db: Db): { db: Db; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      queries.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return Promise.resolve(args.result);
    },
  };
  return { db: db.withPlugin(plugin), queries };
}

/** PostgreSQL's `EXPLAIN` of `query` with its parameters, one plan line per entry. */
export async function explain(db: Db, query: CompiledQuery): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    // The planner's own choice over the rows it has statistics for: this schema's tables
    // (a bare ANALYZE would walk every suite's schema in the database).
    const tables = await sql<{ name: string }>`
      select tablename as name from pg_tables where schemaname = current_schema()`.execute(conn);
    for (const t of tables.rows) await sql`analyze ${sql.id(t.name)}`.execute(conn);
    const res = await conn.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
    );
    return res.rows.map((r) => r['QUERY PLAN']);
  });
}
