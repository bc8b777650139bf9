import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('refuses a builder that leaves a value out (its call would run with the wrong values)', async () => {
    const broken = prepared((q: Db, _unused: string) =>
      q.selectFrom('system_settings').select('key'),
    );
    await expect(broken(h.db, 'a')).rejects.toThrow('does not use its value #0');
  });
});
