import type { AuditEventType } from '@parley/protocol';

/** One audit entry as a service states it; time, IP and user agent are filled in for it. */
export type AuditInput = {
  type: AuditEventType;
  /** null: the system (upkeep, webhook) or an anonymous caller. */
  actorId: string | null;
  targetType?: 'user' | 'room' | 'call' | 'appointment' | 'settings' | 'email';
  targetId?: string;
  details?: Record<string, unknown>;
  /** Only where no request context exists (socket work, upkeep); otherwise taken from it. */
  ip?: string | null;
  userAgent?: string | null;
};

/**
 * The append-only audit log (modules/audit implements it). `record` never throws to its
 * caller: a failed write is logged and counted, the user's action stands.
 */
export interface AuditLog {
  record(entry: AuditInput): Promise<void>;
}

/** For unit tests of services that do not look at the log. */
export const noAudit: AuditLog = { record: () => Promise.resolve() };
