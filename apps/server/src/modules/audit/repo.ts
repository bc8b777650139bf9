import type { AuditEvent, AuditEventType, AuditPage, AuditQuery } from '@parley/protocol';
import type { Db } from '../../platform/db/database.js';
import { Errors } from '../../platform/errors.js';

/** A cursor is the last id of the page before: a ULID (Crockford base32, 26 characters). */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

type Row = {
  id: string;
  at: string;
  type: string;
  actor_id: string | null;
  actor_name: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
};

/** Stored details are a JSON object written by `createAuditLog`; anything else reads as {}. */
function parseDetails(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toEvent(r: Row): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    type: r.type as AuditEventType,
    actorId: r.actor_id,
    actorName: r.actor_name,
    targetType: r.target_type as AuditEvent['targetType'],
    targetId: r.target_id,
    ip: r.ip,
    userAgent: r.user_agent,
    details: parseDetails(r.details),
  };
}

/**
 * One page of the audit log, newest first. Paging is keyset on the id alone (a ULID sorts
 * by time), so a page costs one index range scan however deep it is, and entries written
 * meanwhile never shift the pages that follow. The actor's name comes from `users` as it
 * is now (null for the system, an anonymous caller or a deleted account).
 */
export async function auditPage(db: Db, query: AuditQuery): Promise<AuditPage> {
  if (query.cursor !== undefined && !ULID.test(query.cursor)) {
    throw Errors.validation({ cursor: ['Not a cursor from this list'] });
  }
  let q = db
    .selectFrom('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select([
      'a.id',
      'a.at',
      'a.type',
      'a.actor_id',
      'u.display_name as actor_name',
      'a.target_type',
      'a.target_id',
      'a.ip',
      'a.user_agent',
      'a.details',
    ]);
  if (query.type?.length) q = q.where('a.type', 'in', query.type);
  if (query.actorId !== undefined) q = q.where('a.actor_id', '=', query.actorId);
  if (query.targetId !== undefined) q = q.where('a.target_id', '=', query.targetId);
  if (query.ip !== undefined) q = q.where('a.ip', '=', query.ip);
  // Stored times are ISO-8601 UTC: normalized the same way, they compare as text.
  if (query.from !== undefined) q = q.where('a.at', '>=', new Date(query.from).toISOString());
  if (query.to !== undefined) q = q.where('a.at', '<', new Date(query.to).toISOString());
  if (query.cursor !== undefined) q = q.where('a.id', '<', query.cursor);
  // One more than asked tells whether a next page exists.
  const rows = await q
    .orderBy('a.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toEvent),
    nextCursor: rows.length > query.limit && last ? last.id : null,
  };
}

/**
 * Deletes up to `batch` entries older than `before` (oldest first); returns how many. Small
 * batches keep each statement short, so a huge backlog never holds a long lock on the table
 * that every request writes to. The subquery form runs on SQLite and PostgreSQL alike.
 */
export async function deleteOlderThan(db: Db, before: string, batch: number): Promise<number> {
  const res = await db
    .deleteFrom('audit_events')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('audit_events')
        .select('id')
        .where('at', '<', before)
        .orderBy('at')
        .limit(batch),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
