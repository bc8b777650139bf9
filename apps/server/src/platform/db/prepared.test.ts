import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects, testDatabase } from '../../test/harness.js';
import type { Db, DbHandle } from './database.js';
import { prepared } from './prepared.js';

describe.each(dialects)('prepared queries (%s)', (dialect) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDatabase(dialect);
    await h.db
      .insertInto('system_settings')
      .values([
        { key: 'a', value: '1', updated_at: 't1', updated_by: 'x' },
        { key: 'b', value: '2', updated_at: 't2', updated_by: 'y' },
        { key: 'c', value: '3', updated_at: 't2', updated_by: null },
      ])
      .execute();
  });
  afterAll(async () => h.close());

  it('runs each call with its own values, as the query built anew would', async () => {
    const byUpdate = prepared((q: Db, at: string, not: string) =>
      q
        .selectFrom('system_settings')
        .select(['key', 'value'])
        .where('updated_at', '=', at)
        // A constant list compiled into the query stays as it is.
        .where('key', 'in', ['a', 'b', 'c'])
        .where('key', '!=', not)
        .orderBy('key'),
    );
    const keys = async (at: string, not: string) =>
      (await byUpdate(h.db, at, not)).rows.map((r) => r.key);
    expect(await keys('t2', 'zzz')).toEqual(['b', 'c']);
    expect(await keys('t2', 'b')).toEqual(['c']);
    expect(await keys('t1', 'b')).toEqual(['a']);
    expect(await keys('nope', 'b')).toEqual([]);
    // The same as Kysely's own run of the query.
    const direct = await h.db
      .selectFrom('system_settings')
      .select(['key', 'value'])
      .where('updated_at', '=', 't2')
      .where('key', 'in', ['a', 'b', 'c'])
      .where('key', '!=', 'b')
      .orderBy('key')
      .execute();
    expect((await byUpdate(h.db, 't2', 'b')).rows).toEqual(direct);
  });

  it('places a value used twice, and values in another order than given', async () => {
    const q2 = prepared((q: Db, by: string, key: string) =>
      q
        .selectFrom('system_settings')
        .select('key')
        .where((eb) => eb.or([eb('key', '=', key), eb('updated_by', '=', by)]))
        .where((eb) => eb.or([eb('updated_by', '=', by), eb('key', '=', 'a')]))
        .orderBy('key'),
    );
    expect((await q2(h.db, 'y', 'a')).rows.map((r) => r.key)).toEqual(['a', 'b']);
    expect((await q2(h.db, 'x', 'c')).rows.map((r) => r.key)).toEqual(['a']);
  });

  it('writes, and runs inside a transaction that rolls back', async () => {
    const setValue = prepared((q: Db, key: string, value: string) =>
      q.updateTable('system_settings').set({ value }).where('key', '=', key),
    );
    const r = await setValue(h.db, 'c', '30');
    expect(r.numAffectedRows).toBe(1n);
    await expect(
      h.db.transaction().execute(async (tx) => {
        await setValue(tx, 'c', '300');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const row = await h.db
      .selectFrom('system_settings')
      .select('value')
      .where('key', '=', 'c')
      .executeTakeFirstOrThrow();
    expect(row.value).toBe('30');
  });

  it('a read of the database while a transaction is open waits for it: never its uncommitted rows', async () => {
    const valueOf = prepared((q: Db, key: string) =>
      q.selectFrom('system_settings').select('value').where('key', '=', key),
    );
    let reading: Promise<string | undefined> | undefined;
    await expect(
      h.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('system_settings')
          .values({ key: 'uncommitted', value: 'x', updated_at: 't9', updated_by: null })
          .execute();
        // Asked for while the transaction holds its row, outside it.
        reading = valueOf(h.db, 'uncommitted').then((r) => r.rows[0]?.value);
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await reading).toBeUndefined();
  });

  it('a write of the database answers as Kysely does (affected rows, insert id)', async () => {
    const insert = prepared((q: Db, key: string) =>
      q
        .insertInto('system_settings')
        .values({ key, value: 'v', updated_at: 't8', updated_by: null }),
    );
    const viaPrepared = await insert(h.db, 'written-1');
    const viaKysely = await h.db
      .insertInto('system_settings')
      .values({ key: 'written-2', value: 'v', updated_at: 't8', updated_by: null })
      .executeTakeFirst();
    expect(viaPrepared.numAffectedRows).toBe(1n);
    expect(viaKysely.numInsertedOrUpdatedRows).toBe(1n);
    if (dialect === 'sqlite') {
      expect(typeof viaPrepared.insertId).toBe('bigint');
      expect(viaPrepared.insertId! + 1n).toBe(viaKysely.insertId);
    }
    // A statement that fails rejects, as through Kysely (a duplicate key).
    await expect(insert(h.db, 'written-1')).rejects.toThrow();
  });

  it('refuses a builder that leaves a value out (its call would run with the wrong values)', async () => {
    const broken = prepared((q: Db, _unused: string) =>
      q.selectFrom('system_settings').select('key'),
    );
    await expect(broken(h.db, 'a')).rejects.toThrow('does not use its value #0');
  });
});

describe('prepared queries on SQLite', () => {
  it('outside a transaction, run without Kysely’s executor (its lock and promises)', async () => {
    const h = await testDatabase('sqlite');
    try {
      await h.db
        .insertInto('system_settings')
        .values({ key: 'a', value: '1', updated_at: 't1', updated_by: null })
        .execute();
      const valueOf = prepared((q: Db, key: string) =>
        q.selectFrom('system_settings').select('value').where('key', '=', key),
      );
      const viaKysely = vi.spyOn(h.db, 'executeQuery');
      expect((await valueOf(h.db, 'a')).rows).toEqual([{ value: '1' }]);
      expect(viaKysely).not.toHaveBeenCalled();
      // Inside a transaction: through it, as any query.
      await h.db.transaction().execute(async (tx) => {
        const viaTx = vi.spyOn(tx, 'executeQuery');
        expect((await valueOf(tx, 'a')).rows).toEqual([{ value: '1' }]);
        expect(viaTx).toHaveBeenCalledTimes(1);
      });
    } finally {
      await h.close();
    }
  });
});
