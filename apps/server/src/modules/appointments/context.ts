import type { AppointmentRole, Role } from '@parley/protocol';
import type { AuditInput } from '../../platform/audit.js';
import { noAudit } from '../../platform/audit.js';
import { createUlidFactory } from '../../platform/ulid.js';
import { AppointmentErrors } from './errors.js';
import type { AppointmentsDeps } from './ports.js';
import { createAppointmentsRepo } from './repo.js';
import type { AppointmentEventsTable } from '../../platform/db/schema.js';
import type { RequestContext } from '../../platform/request-context.js';
import type { AppointmentRow, AppointmentsRepo, Q, Trx } from './repo.js';
import type { JoinWindowConfig, Requester } from './rules.js';
import { toAppointment } from './views.js';

/** Who is asking: the session's user. */
export type Viewer = { id: string; role: Role; isGuest: boolean };

/** What the parts of the appointments service share: their deps plus a few helpers. */
export type AppointmentsContext = AppointmentsDeps & {
  repo: AppointmentsRepo;
  /** The join window around a start: the live settings' `appointments`, read at each use. */
  readonly window: JoinWindowConfig;
  /** Whether admins may enter appointment calls (live setting), read at each use. */
  readonly adminsMayJoin: boolean;
  /** The app clock as stored (ISO-8601 UTC). */
  now(): string;
  /** A new history row id: time-ordered, so the history reads in order. */
  eventId(): string;
  /**
   * Runs `work` in one transaction; the audit entries of the history lines it wrote are
   * recorded after the commit (none when it rolls back), as `origin`'s doing. Every
   * transaction that calls `record` is opened here.
   */
  transaction<T>(origin: RequestContext, work: (trx: Trx) => Promise<T>): Promise<T>;
  /**
   * Adds a line to the appointment's history inside `trx` (no actor: the server), and its
   * audit entry once `trx` commits (see `transaction`).
   */
  record(
    trx: Trx,
    appointmentId: string,
    kind: AppointmentEventsTable['kind'],
    e: { at: string; actorId?: string | null; details?: Record<string, unknown> },
  ): Promise<void>;
  /** The viewer's relation to the appointment (a party first, then admin). */
  relation(row: AppointmentRow, viewer: Viewer): Requester;
  /** The appointment, if the viewer is a party or an admin; anyone else gets the 404 of none. */
  visible(
    id: string,
    viewer: Viewer,
    q?: Q,
  ): Promise<{ row: AppointmentRow; role: AppointmentRole }>;
  /**
   * Tells both parties' devices (each their own view) that the appointment changed.
   * Best-effort after a commit: a failure is logged, the change stands.
   */
  notify(id: string): Promise<void>;
  /** Runs a step after a committed change; a failure is logged, never thrown. */
  afterCommit(step: string, work: () => Promise<unknown>): Promise<void>;
};

export function createAppointmentsContext(deps: AppointmentsDeps): AppointmentsContext {
  const repo = createAppointmentsRepo(deps.dialect);
  // Without live settings (services built directly in unit tests): the configuration.
  const joinWindow = (): JoinWindowConfig => {
    const s = deps.settings?.get().appointments;
    return s
      ? { opensBeforeMs: s.joinOpensMinutes * 60_000, closesAfterMs: s.joinClosesMinutes * 60_000 }
      : { opensBeforeMs: deps.config.opensBeforeMs, closesAfterMs: deps.config.closesAfterMs };
  };
  const afterCommit = async (step: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      deps.onError(err, step);
    }
  };
  const relation = (row: AppointmentRow, viewer: Viewer): Requester => {
    if (viewer.id === row.provider_id) return 'provider';
    if (viewer.id === row.client_id) return 'client';
    if (viewer.role === 'admin' && !viewer.isGuest) return 'admin';
    return 'other';
  };
  const eventId = createUlidFactory(deps.clock);
  const audit = deps.audit ?? noAudit;
  // The audit entries each open transaction will record once it commits.
  const pendingAudit = new WeakMap<Trx, Omit<AuditInput, 'origin'>[]>();
  return {
    ...deps,
    repo,
    get window() {
      return joinWindow();
    },
    get adminsMayJoin() {
      return deps.settings?.get().appointments.adminsMayJoin ?? deps.config.adminsMayJoin;
    },
    now: () => deps.clock.now().toISOString(),
    eventId,
    async transaction(origin, work) {
      const entries: Omit<AuditInput, 'origin'>[] = [];
      const result = await deps.db.transaction().execute((trx) => {
        pendingAudit.set(trx, entries);
        return work(trx);
      });
      for (const entry of entries) await audit.record({ ...entry, origin });
      return result;
    },
    record: (trx, appointmentId, kind, e) => {
      const pending = pendingAudit.get(trx);
      if (pending) pending.push(auditEntry(appointmentId, kind, e));
      else deps.onError(new Error(`history line '${kind}' outside ctx.transaction`), 'audit');
      return repo.recordEvent(trx, {
        id: eventId(),
        appointment_id: appointmentId,
        at: e.at,
        actor_id: e.actorId ?? null,
        kind,
        details: e.details ?? {},
      });
    },
    relation,
    async visible(id, viewer, q = deps.db) {
      const row = await repo.find(q, id);
      const role = row && relation(row, viewer);
      if (!row || !role || role === 'other') throw AppointmentErrors.notFound();
      return { row, role };
    },
    notify: (id) =>
      afterCommit('appointment.updated', async () => {
        const row = await repo.find(deps.db, id);
        if (!row) return;
        await deps.bus.toUser(row.provider_id, {
          type: 'appointment.updated',
          appointment: toAppointment(row, 'provider', joinWindow()),
        });
        await deps.bus.toUser(row.client_id, {
          type: 'appointment.updated',
          appointment: toAppointment(row, 'client', joinWindow()),
        });
      }),
    afterCommit,
  };
}

/**
 * The audit entry of a history line: creation, reschedule and payment lines keep their
 * details (times, statuses, the webhook's event id); status lines say the new status.
 * A cancellation's reason is free text a person wrote (perhaps about their health) and
 * stays in the appointment's own history, not in the log.
 */
function auditEntry(
  appointmentId: string,
  kind: AppointmentEventsTable['kind'],
  e: { actorId?: string | null; details?: Record<string, unknown> },
): Omit<AuditInput, 'origin'> {
  const base = {
    actorId: e.actorId ?? null,
    targetType: 'appointment',
    targetId: appointmentId,
  } as const;
  switch (kind) {
    case 'created':
      return { ...base, type: 'appointment.created', details: e.details ?? {} };
    case 'rescheduled':
      return { ...base, type: 'appointment.rescheduled', details: e.details ?? {} };
    case 'payment':
      return { ...base, type: 'appointment.payment_changed', details: e.details ?? {} };
    case 'cancelled':
      return { ...base, type: 'appointment.status_changed', details: { status: 'cancelled' } };
    case 'confirmed':
    case 'started':
    case 'completed':
    case 'no_show':
      return {
        ...base,
        type: 'appointment.status_changed',
        details: { status: STATUS_OF[kind], ...e.details },
      };
    default:
      return assertNever(kind);
  }
}

const STATUS_OF = {
  confirmed: 'confirmed',
  started: 'in_progress',
  completed: 'completed',
  no_show: 'no_show',
} as const;

function assertNever(x: never): never {
  throw new Error(`unhandled history kind: ${String(x)}`);
}
