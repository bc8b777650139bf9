import type { Appointment } from '@parley/protocol';

/** Which buttons a person gets for an appointment; the server enforces the same rules. */
export interface AppointmentActions {
  confirm: boolean;
  reschedule: boolean;
  cancel: boolean;
  markPaid: boolean;
  waive: boolean;
}

/**
 * - Confirm: its provider or an admin, while scheduled.
 * - Reschedule: its provider or an admin; cancel: either party or an admin; both only while
 *   scheduled or confirmed and before the start.
 * - Payment: admins, until it is settled.
 */
export function actionsFor(a: Appointment, isAdmin: boolean, now: number): AppointmentActions {
  const manages = a.myRole === 'provider' || isAdmin;
  const changeable =
    (a.status === 'scheduled' || a.status === 'confirmed') && now < Date.parse(a.startsAt);
  const unsettled = a.paymentStatus === 'pending';
  return {
    confirm: manages && a.status === 'scheduled',
    reschedule: manages && changeable,
    cancel: changeable,
    markPaid: isAdmin && unsettled,
    waive: isAdmin && unsettled,
  };
}

/**
 * How the Join button shows for an open appointment: a party always sees it (disabled with
 * the reason when the server says no); an admin, who is no party, sees it only when the
 * server's can-join lets them in (`whenJoinable`), and is not asked at all while the
 * appointment could not be joined by anyone (not confirmed, not paid).
 */
export function joinButtonFor(a: Appointment): 'always' | 'whenJoinable' | 'never' {
  if (a.myRole !== 'admin') return 'always';
  const live = a.status === 'confirmed' || a.status === 'in_progress';
  const settled = a.paymentStatus === 'paid' || a.paymentStatus === 'waived';
  return live && settled ? 'whenJoinable' : 'never';
}
