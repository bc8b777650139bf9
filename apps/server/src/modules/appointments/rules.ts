import type { AppointmentStatus, JoinBlockReason, PaymentStatus } from '@parley/protocol';

// Who may join an appointment's call, and when. Pure: every time is an instant in epoch
// milliseconds, so time zones and daylight-saving changes cannot shift a window; only
// the display converts to the viewer's zone.

/** The join window's configuration (APPOINTMENT_JOIN_OPENS_MINUTES / _CLOSES_MINUTES). */
export type JoinWindowConfig = {
  /** Joining opens this long before the booked start. */
  opensBeforeMs: number;
  /** …and closes this long after it (or at the booked end, when that is later). */
  closesAfterMs: number;
};

export type JoinWindow = { opensAt: number; closesAt: number };

/**
 * `[start − opensBefore, max(start + closesAfter, end)]`, both edges included: a
 * booking longer than the window is never cut short.
 */
export function joinWindow(
  startsAt: number,
  durationMinutes: number,
  cfg: JoinWindowConfig,
): JoinWindow {
  return {
    opensAt: startsAt - cfg.opensBeforeMs,
    closesAt: Math.max(startsAt + cfg.closesAfterMs, startsAt + durationMinutes * 60_000),
  };
}

/** The requester's relation to the appointment. */
export type Requester = 'provider' | 'client' | 'admin' | 'other';

export type JoinQuestion = {
  requester: Requester;
  /** Whether the practice lets admins into appointment calls (a setting). */
  adminsMayJoin: boolean;
  status: AppointmentStatus;
  paymentStatus: PaymentStatus;
  startsAt: number;
  durationMinutes: number;
  now: number;
};

export type JoinAnswer =
  | { canJoin: true; reason: null; window: JoinWindow }
  | { canJoin: false; reason: JoinBlockReason; window: JoinWindow };

/**
 * The one rule the HTTP `can-join`, the REST room join and the socket `room.join` all
 * apply. The first failing check is the reason (order documented on JoinBlockReason).
 */
export function canJoin(q: JoinQuestion, cfg: JoinWindowConfig): JoinAnswer {
  const window = joinWindow(q.startsAt, q.durationMinutes, cfg);
  const no = (reason: JoinBlockReason): JoinAnswer => ({ canJoin: false, reason, window });
  const party = q.requester === 'provider' || q.requester === 'client';
  if (!party && !(q.requester === 'admin' && q.adminsMayJoin)) return no('NOT_A_PARTICIPANT');
  if (q.status === 'cancelled') return no('CANCELLED');
  if (q.status === 'completed' || q.status === 'no_show') return no('ENDED');
  if (q.now > window.closesAt) return no('TOO_LATE');
  if (q.status === 'scheduled') return no('NOT_CONFIRMED');
  if (q.paymentStatus !== 'paid' && q.paymentStatus !== 'waived') return no('NOT_PAID');
  if (q.now < window.opensAt) return no('TOO_EARLY');
  return { canJoin: true, reason: null, window };
}

/** Whole minutes until the start, rounded up (0 at the start, negative after it). */
export function minutesUntil(startsAt: number, now: number): number {
  // `+ 0` turns the -0 of Math.ceil(-0.5) into 0.
  return Math.ceil((startsAt - now) / 60_000) + 0;
}
