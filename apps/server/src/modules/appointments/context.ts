import type { AppointmentRole, Role } from '@parley/protocol';
import { createUlidFactory } from '../../platform/ulid.js';
import { AppointmentErrors } from './errors.js';
import type { AppointmentsDeps } from './ports.js';
import { createAppointmentsRepo } from './repo.js';
import type { AppointmentEventsTable } from '../../platform/db/schema.js';
import type { AppointmentRow, AppointmentsRepo, Q, Trx } from './repo.js';
import type { JoinWindowConfig, Requester } from './rules.js';
import { toAppointment } from './views.js';

/** Who is asking: the session's user. */
export type Viewer = { id: string; role: Role; isGuest: boolean };

/** What the parts of the appointments service share: their deps plus a few helpers. */
export type AppointmentsContext = AppointmentsDeps & {
  repo: AppointmentsRepo;
  window: JoinWindowConfig;
  /** The app clock as stored (ISO-8601 UTC). */
  now(): string;
  /** A new history row id: time-ordered, so the history reads in order. */
  eventId(): string;
  /** Adds a line to the appointment's history inside `trx` (no actor: the server). */
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
  const window: JoinWindowConfig = {
    opensBeforeMs: deps.config.opensBeforeMs,
    closesAfterMs: deps.config.closesAfterMs,
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
  return {
    ...deps,
    repo,
    window,
    now: () => deps.clock.now().toISOString(),
    eventId,
    record: (trx, appointmentId, kind, e) =>
      repo.recordEvent(trx, {
        id: eventId(),
        appointment_id: appointmentId,
        at: e.at,
        actor_id: e.actorId ?? null,
        kind,
        details: e.details ?? {},
      }),
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
          appointment: toAppointment(row, 'provider', window),
        });
        await deps.bus.toUser(row.client_id, {
          type: 'appointment.updated',
          appointment: toAppointment(row, 'client', window),
        });
      }),
    afterCommit,
  };
}
