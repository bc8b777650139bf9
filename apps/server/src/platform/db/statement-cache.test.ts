import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { openDatabase } from './database.js';
import { cachingDatabase } from './statement-cache.js';

type Db = { t: { id: number; name: string } };

function setUp(maxSize?: number) {
  const sqlite = new SQLite(':memory:');
  sqlite.exec('create table t (id integer primary key, name text not null)');
  const prepare = vi.spyOn(sqlite, 'prepare');
  const database = cachingDatabase(sqlite, maxSize);
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database }) });
  return { db, database, prepare };
}

describe('SQLite statements are prepared once per SQL text', () => {
  it('the same query twice prepares once and both return the current rows', async () => {
    const { db, prepare } = setUp();
    const byId = (id: number) =>
      db.selectFrom('t').select('name').where('id', '=', id).executeTakeFirst();
    await db.insertInto('t').values({ id: 1, name: 'a' }).execute();
    await db.insertInto('t').values({ id: 2, name: 'b' }).execute();
    expect(prepare).toHaveBeenCalledTimes(1); // one insert statement, reused
    prepare.mockClear();
    expect(await byId(1)).toEqual({ name: 'a' });
    expect(await byId(2)).toEqual({ name: 'b' });
    expect(await byId(3)).toBeUndefined();
    expect(prepare).toHaveBeenCalledTimes(1);
    // Writes still report what they changed.
    const r = await db.updateTable('t').set({ name: 'c' }).where('id', '=', 2).executeTakeFirst();
    expect(r.numUpdatedRows).toBe(1n);
    expect(await byId(2)).toEqual({ name: 'c' });
    await db.destroy();
  });

  it('keeps at most maxSize statements, dropping the least recently used', async () => {
    const { db, database, prepare } = setUp(2);
    const q = (n: number) => sql`select ${sql.lit(n)} as n`.execute(db);
    await q(1);
    await q(2);
    await q(1); // 1 is now the most recently used
    await q(3); // evicts 2
    expect(database.size).toBe(2);
    prepare.mockClear();
    await q(1);
    await q(3);
    expect(prepare).not.toHaveBeenCalled();
    await q(2);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(database.size).toBe(2);
    await db.destroy();
  });

  it('transactions commit and roll back with kept begin/commit/rollback statements', async () => {
    const { db } = setUp();
    for (let i = 0; i < 2; i++) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('t')
          .values({ id: 10 + i, name: 'kept' })
          .execute();
      });
      await expect(
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('t')
            .values({ id: 20 + i, name: 'gone' })
            .execute();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
    }
    const names = await db.selectFrom('t').select(['id', 'name']).orderBy('id').execute();
    expect(names).toEqual([
      { id: 10, name: 'kept' },
      { id: 11, name: 'kept' },
    ]);
    await db.destroy();
  });

  it('a kept statement follows schema changes (SQLite re-prepares it)', async () => {
    const { db } = setUp();
    await db.insertInto('t').values({ id: 1, name: 'a' }).execute();
    const all = () => sql<Record<string, unknown>>`select * from t`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'a' }]);
    await sql`alter table t add column extra integer default 7`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'a', extra: 7 }]);
    await db.destroy();
  });

  it('a streamed query can run again from the cache', async () => {
    const { db } = setUp();
    await db
      .insertInto('t')
      .values([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ])
      .execute();
    const rows: string[] = [];
    for await (const r of db.selectFrom('t').select('name').orderBy('id').stream()) {
      rows.push(r.name);
    }
    for await (const r of db.selectFrom('t').select('name').orderBy('id').stream()) {
      rows.push(r.name);
    }
    expect(rows).toEqual(['a', 'b', 'a', 'b']);
    await db.destroy();
  });

  it("the app's database migrates and queries through the cache", async () => {
    const handle = openDatabase({ kind: 'sqlite', file: ':memory:' });
    await handle.migrate();
    await handle.ping();
    await handle.ping();
    const n = await handle.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
    await handle.close();
  });
});
