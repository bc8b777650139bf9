import type { FastifyBaseLogger } from 'fastify';
import type { AuditInput, AuditLog } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { Metrics } from '../../platform/metrics.js';
import { currentContext } from '../../platform/request-context.js';
import { createUlidFactory } from '../../platform/ulid.js';

export type AuditLogDeps = {
  db: Db;
  clock: Clock;
  metrics: Pick<Metrics, 'auditEvents'>;
  log: FastifyBaseLogger;
};

/**
 * Writes audit entries: one insert each, time from the app clock, IP and user agent from
 * the request in progress (or the entry, for socket and upkeep work). A failed write is
 * logged and never fails the action it records.
 */
export function createAuditLog(deps: AuditLogDeps): AuditLog {
  const nextId = createUlidFactory(deps.clock);
  return {
    async record(entry: AuditInput): Promise<void> {
      const ctx = currentContext();
      try {
        await deps.db
          .insertInto('audit_events')
          .values({
            id: nextId(),
            at: deps.clock.now().toISOString(),
            type: entry.type,
            actor_id: entry.actorId,
            target_type: entry.targetType ?? null,
            target_id: entry.targetId ?? null,
            ip: entry.ip !== undefined ? entry.ip : (ctx?.ip ?? null),
            user_agent: entry.userAgent !== undefined ? entry.userAgent : (ctx?.userAgent ?? null),
            details: JSON.stringify(entry.details ?? {}),
          })
          .execute();
        deps.metrics.auditEvents.inc({ type: entry.type });
      } catch (err) {
        deps.log.error({ err, auditType: entry.type }, 'audit entry could not be written');
      }
    },
  };
}
