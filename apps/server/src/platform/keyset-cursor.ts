import { sql } from 'kysely';
import type { RawBuilder, SqlBool } from 'kysely';
import { z } from 'zod';
import { Errors } from './errors.js';

/**
 * The position after the last row of a page ordered by (created_at, id): the admin lists
 * and the call history page on it, so rows added meanwhile never shift a page or repeat one.
 */
export type KeysetCursor = { createdAt: string; id: string };

// Opaque to clients: base64url of [createdAt, id], checked on the way back in. The call
// history gave out the same text before it moved here, so its old cursors still work.
const Shape = z.tuple([z.iso.datetime(), z.string().min(1).max(64)]);

export function encodeKeyset(c: KeysetCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

/** A cursor this server did not give out is a 400 on `cursor`. */
export function decodeKeyset(raw: string): KeysetCursor {
  try {
    const [createdAt, id] = Shape.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return { createdAt, id };
  } catch {
    throw Errors.validation({ cursor: ['Not a cursor this list gave out'] });
  }
}

/** `cursor` of a list query, decoded (absent: the first page). */
export const keysetFrom = (cursor: string | undefined): KeysetCursor | undefined =>
  cursor === undefined ? undefined : decodeKeyset(cursor);

/**
 * The rows past `after` in a `(createdAt, id)` order — `desc` (newest first, the lists) or
 * `asc`. One row-value comparison, `(created_at, id) < (?, ?)`: PostgreSQL and SQLite (3.15
 * and later) read it as one range of a (…, created_at, id) index, where the spelled-out
 * `a < x OR (a = x AND b < y)` leaves PostgreSQL filtering row by row.
 *
 * `columns` are column references as the query names them (`'calls.created_at'`).
 */
export function pastKeyset(
  columns: readonly [createdAt: string, id: string],
  after: KeysetCursor,
  order: 'desc' | 'asc' = 'desc',
): RawBuilder<SqlBool> {
  const op = sql.raw(order === 'desc' ? '<' : '>');
  return sql<SqlBool>`(${sql.ref(columns[0])}, ${sql.ref(columns[1])}) ${op} (${after.createdAt}, ${after.id})`;
}

/** The page (at most `limit` rows of `rows`, fetched with `limit + 1`) and the next cursor. */
export function keysetPage<R extends { created_at: string; id: string }>(
  rows: R[],
  limit: number,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    page,
    nextCursor:
      rows.length > limit && last
        ? encodeKeyset({ createdAt: last.created_at, id: last.id })
        : null,
  };
}
