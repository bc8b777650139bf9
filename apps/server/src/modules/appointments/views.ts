import type { Appointment, AppointmentEvent, AppointmentRole } from '@parley/protocol';
import type { JoinWindowConfig } from './rules.js';
import { joinWindow } from './rules.js';
import type { AppointmentEventRow, AppointmentRow } from './repo.js';
import { iso } from './time.js';

/** The appointment as `myRole` sees it: notes only for its provider. */
export function toAppointment(
  row: AppointmentRow,
  myRole: AppointmentRole,
  cfg: JoinWindowConfig,
): Appointment {
  const w = joinWindow(Date.parse(row.starts_at), row.duration_minutes, cfg);
  const seconds = row.call_duration_seconds;
  return {
    id: row.id,
    title: row.title,
    provider: { id: row.provider_id, displayName: row.provider_name },
    client: { id: row.client_id, displayName: row.client_name },
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    durationMinutes: row.duration_minutes,
    status: row.status,
    paymentStatus: row.payment_status,
    notes: myRole === 'provider' ? row.notes : null,
    myRole,
    opensAt: iso(w.opensAt),
    closesAt: iso(w.closesAt),
    room: row.room_id && row.room_code ? { id: row.room_id, code: row.room_code } : null,
    cancelledAt: row.cancelled_at,
    cancelledBy: row.cancelled_by,
    cancelReason: row.cancel_reason,
    callStartedAt: row.call_started_at,
    callEndedAt: row.call_ended_at,
    callDurationSeconds: seconds,
    callDurationMinutes: seconds === null ? null : Math.round(seconds / 60),
    providerJoinedAt: row.provider_joined_at,
    clientJoinedAt: row.client_joined_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toEvent(e: AppointmentEventRow): AppointmentEvent {
  return {
    kind: e.kind,
    at: e.at,
    actor: e.actor_id ? { id: e.actor_id, displayName: e.actor_name ?? '' } : null,
    details: JSON.parse(e.details) as Record<string, unknown>,
  };
}
