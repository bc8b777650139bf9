import { z } from 'zod';
import { Errors } from './errors.js';

/**
 * The position after the last row of a page ordered by (created_at desc, id desc): the
 * admin lists page on it, so rows added meanwhile never shift a page or repeat a row.
 */
export type KeysetCursor = { createdAt: string; id: string };

// Opaque to clients: base64url of [createdAt, id], checked on the way back in.
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
