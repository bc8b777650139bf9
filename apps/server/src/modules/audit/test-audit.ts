import type { AuditEventType } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import { injectJson } from '../../test/inject.js';
import type { Method } from '../../test/inject.js';

// Test support for the audit suites: reading the stored entries back, and requests that
// come from a stated address with a stated user agent.

export type Entry = {
  id: string;
  at: string;
  type: string;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  /** The stored row as text: what must never appear in it is looked for here. */
  raw: string;
};

/** Stored entries, oldest first, optionally of some types or about one target. */
export async function entries(
  db: Db,
  filter: { type?: AuditEventType | AuditEventType[]; targetId?: string } = {},
): Promise<Entry[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (filter.type) q = q.where('type', 'in', [filter.type].flat());
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    type: r.type,
    actorId: r.actor_id,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    userAgent: r.user_agent,
    details: JSON.parse(r.details) as Record<string, unknown>,
    raw: JSON.stringify(r),
  }));
}

/** The one entry of `type` (about `targetId`); fails when there are none or several. */
export async function only(db: Db, type: AuditEventType, targetId?: string): Promise<Entry> {
  const found = await entries(db, { type, ...(targetId ? { targetId } : {}) });
  if (found.length !== 1) {
    throw new Error(`expected one ${type} entry, found ${found.length}: ${JSON.stringify(found)}`);
  }
  return found[0]!;
}

export type From = { ip: string; userAgent: string };

/** A JSON request as if from `from` (its address and user agent). */
export async function request(
  app: FastifyInstance,
  method: Method,
  url: string,
  opts: { token?: string; body?: unknown; from?: From } = {},
  // Tests read the JSON answers loosely, as *.test.ts files may.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: Record<string, any> }> {
  const { from, ...rest } = opts;
  const res = await injectJson(app, method, url, {
    ...rest,
    ip: from?.ip,
    userAgent: from?.userAgent,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.statusCode, body: res.body ? res.json<Record<string, any>>() : {} };
}
