import type { AuditEventType } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { AuditInput, AuditLog } from '../../platform/audit.js';
import { clientKey } from '../../platform/client-key.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { RateLimit, RateLimiter } from '../../platform/live/index.js';
import type { Metrics } from '../../platform/metrics.js';
import { createUlidFactory } from '../../platform/ulid.js';

/**
 * Per type and caller (clientKey of the IP): 20 entries at once, then one a minute. Enough
 * to see an attack start and go on; not a row per request of a flood.
 */
export const AUDIT_FLOOD_LIMIT: RateLimit = { burst: 20, perSecond: 1 / 60 };

/** Refusals: anyone can cause one per request, signed in or not. */
const REFUSALS: ReadonlySet<AuditEventType> = new Set([
  'auth.login_failed',
  'auth.login_throttled',
  'auth.refresh_reuse',
  'webhook.refused',
  'quota.exceeded',
]);

/**
 * Entries without an actor that are no stranger's doing: the system's consequences of
 * what someone identified did (a room or call ending, an appointment moving on) and
 * payment changes a signed webhook made. Never limited.
 */
const SYSTEM_CONSEQUENCES: ReadonlySet<AuditEventType> = new Set([
  'room.closed',
  'call.ended',
  'appointment.created',
  'appointment.status_changed',
  'appointment.rescheduled',
  'appointment.payment_changed',
]);

export type AuditLogDeps = {
  db: Db;
  clock: Clock;
  metrics: Pick<Metrics, 'auditEvents' | 'auditDropped'>;
  log: FastifyBaseLogger;
  /**
   * Admits entries a caller can produce at will (see `limited`), per type and caller,
   * shared by every process (the live state's `audit-flood`, AUDIT_FLOOD_LIMIT).
   * Absent: every entry is written.
   */
  flood?: RateLimiter;
};

/**
 * Whether an entry counts against its caller's flood limit: refusals, and entries with
 * no actor, from a caller (an IP) — an anonymous caller can send as many of those as
 * requests. Entries without an IP are the system's own work and always written.
 */
function limited(entry: AuditInput, ip: string | null): ip is string {
  if (ip === null) return false;
  if (REFUSALS.has(entry.type)) return true;
  return entry.actorId === null && !SYSTEM_CONSEQUENCES.has(entry.type);
}

/**
 * Writes audit entries: one insert each, time from the app clock, IP and user agent from
 * the entry's origin. A failed write is
 * logged and never fails the action it records. Past the flood limit an entry is counted
 * (`parley_audit_events_dropped_total`) instead of written.
 */
export function createAuditLog(deps: AuditLogDeps): AuditLog {
  const nextId = createUlidFactory(deps.clock);

  /** False when the entry is over its caller's limit; a limiter that fails admits it. */
  async function admitted(entry: AuditInput, ip: string | null): Promise<boolean> {
    if (!deps.flood || !limited(entry, ip)) return true;
    try {
      return (await deps.flood.take(`${entry.type} ${clientKey(ip)}`)) === 0;
    } catch {
      return true;
    }
  }

  return {
    async record(entry: AuditInput): Promise<void> {
      const { ip, userAgent } = entry.origin;
      try {
        if (!(await admitted(entry, ip))) {
          deps.metrics.auditDropped.inc({ type: entry.type });
          return;
        }
        await deps.db
          .insertInto('audit_events')
          .values({
            id: nextId(),
            at: deps.clock.now().toISOString(),
            type: entry.type,
            actor_id: entry.actorId,
            target_type: entry.targetType ?? null,
            target_id: entry.targetId ?? null,
            ip,
            user_agent: userAgent,
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
