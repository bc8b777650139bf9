import { APPOINTMENT_LIMITS } from '@parley/protocol';

/** The booked slot as the call page shows it: time left, a warning near the end, over. */
export interface CallSlot {
  /** ms until the booked end (0 once it passed). */
  msLeft: number;
  /** From `endWarningMinutes` before the end until the end. */
  warning: boolean;
  /** The booked time is up (the call may go on until the window closes). */
  over: boolean;
}

export function callSlot(
  endsAt: string | number,
  now: number,
  warnMinutes: number = APPOINTMENT_LIMITS.endWarningMinutes,
): CallSlot {
  const end = typeof endsAt === 'number' ? endsAt : Date.parse(endsAt);
  const left = end - now;
  return {
    msLeft: Math.max(0, left),
    warning: left > 0 && left <= warnMinutes * 60_000,
    over: left <= 0,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The call page's `?appointment=<id>`, or null when absent or not an id. */
export function appointmentIdOf(raw: unknown): string | null {
  return typeof raw === 'string' && UUID.test(raw) ? raw : null;
}
