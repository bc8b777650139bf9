import { Kysely, SqliteDialect } from 'kysely';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { decodeKeyset, encodeKeyset, keysetPage, pastKeyset } from './keyset-cursor.js';

// The one keyset cursor of the newest-first lists (admin users, rooms and calls; the call
// history): its text, what it refuses, and the SQL it pages with.

const AT = '2026-03-01T10:00:00.000Z';
const ID = '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11';

describe('the keyset cursor', () => {
  it('round-trips, and reads the call history cursors given out before it moved here', () => {
    expect(decodeKeyset(encodeKeyset({ createdAt: AT, id: ID }))).toEqual({
      createdAt: AT,
      id: ID,
    });
    // What modules/calls/views.ts encoded: base64url of [createdAt, id].
    const old = Buffer.from(JSON.stringify([AT, ID])).toString('base64url');
    expect(decodeKeyset(old)).toEqual({ createdAt: AT, id: ID });
  });

  it.each([
    ['not base64 JSON', 'bm9wZQ'],
    ['a wrong shape', Buffer.from(JSON.stringify({ at: AT })).toString('base64url')],
    [
      'a time that is not one',
      Buffer.from(JSON.stringify(['yesterday', ID])).toString('base64url'),
    ],
  ])('refuses %s with 400 on `cursor`', (_name, raw) => {
    let error: unknown;
    try {
      decodeKeyset(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      status: 400,
      details: { fields: { cursor: expect.any(Array) } },
    });
  });

  it('pages with one limit + 1 fetch: a cursor only when a row lies past the page', () => {
    const rows = [3, 2, 1].map((n) => ({ created_at: `2026-03-0${n}T00:00:00.000Z`, id: `r${n}` }));
    const full = keysetPage(rows, 2);
    expect(full.page.map((r) => r.id)).toEqual(['r3', 'r2']);
    expect(decodeKeyset(full.nextCursor!)).toEqual({ createdAt: rows[1]!.created_at, id: 'r2' });
    expect(keysetPage(rows.slice(0, 2), 2).nextCursor).toBeNull();
  });
});

describe('pastKeyset', () => {
  const db = new Kysely<{ t: { created_at: string; id: string } }>({
    dialect: new SqliteDialect({ database: new Database(':memory:') }),
  });

  it('is one row-value comparison (an index range), not an OR of ANDs', () => {
    const after = { createdAt: AT, id: ID };
    const desc = db
      .selectFrom('t')
      .selectAll()
      .where(pastKeyset(['t.created_at', 't.id'], after));
    expect(desc.compile().sql).toMatch(/where \("t"\."created_at", "t"\."id"\) < \(\?, \?\)$/);
    expect(desc.compile().parameters).toEqual([AT, ID]);
    const asc = db
      .selectFrom('t')
      .selectAll()
      .where(pastKeyset(['created_at', 'id'], after, 'asc'));
    expect(asc.compile().sql).toMatch(/\("created_at", "id"\) > \(\?, \?\)$/);
  });

  it('keeps the rows strictly past the cursor, ties on the time broken by the id', async () => {
    await db.schema
      .createTable('t')
      .addColumn('created_at', 'text')
      .addColumn('id', 'text')
      .execute();
    await db
      .insertInto('t')
      .values([
        { created_at: '2026-03-01', id: 'a' },
        { created_at: '2026-03-02', id: 'a' },
        { created_at: '2026-03-02', id: 'b' },
        { created_at: '2026-03-02', id: 'c' },
        { created_at: '2026-03-03', id: 'a' },
      ])
      .execute();
    const past = (order: 'asc' | 'desc') =>
      db
        .selectFrom('t')
        .select(['created_at', 'id'])
        .where(pastKeyset(['created_at', 'id'], { createdAt: '2026-03-02', id: 'b' }, order))
        .orderBy('created_at', order)
        .orderBy('id', order)
        .execute();
    expect((await past('desc')).map((r) => `${r.created_at}/${r.id}`)).toEqual([
      '2026-03-02/a',
      '2026-03-01/a',
    ]);
    expect((await past('asc')).map((r) => `${r.created_at}/${r.id}`)).toEqual([
      '2026-03-02/c',
      '2026-03-03/a',
    ]);
  });
});
