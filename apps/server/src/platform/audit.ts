import type { AuditEventType } from '@parley/protocol';
import type { RequestContext } from './request-context.js';

/** One audit entry as a service states it; the time is filled in for it. */
export type AuditInput = {
  type: AuditEventType;
  /** null: the system (upkeep, webhook) or an anonymous caller. */
  actorId: string | null;
  targetType?: 'user' | 'room' | 'call' | 'appointment' | 'settings' | 'email';
  targetId?: string;
  details?: Record<string, unknown>;
  /**
   * Whose doing it was: the HTTP request's or socket's caller (IP, user agent), or
   * SYSTEM_CONTEXT for work no caller started.
   */
  origin: RequestContext;
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
