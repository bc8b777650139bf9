import { APPOINTMENT_LIMITS } from '@parley/protocol';
import { fromLocalInput } from './time';

/** What the new-appointment and reschedule forms hold, as typed. */
export interface WhenInput {
  /** A `datetime-local` value on the viewer's wall clock. */
  local: string;
  zone: string;
  durationMinutes: number;
}

/** i18n keys of the form's messages (locales: appointments.form.errors.*). */
export type WhenError = 'whenRequired' | 'invalid' | 'nonexistent' | 'past' | 'duration';

export type WhenResult =
  | { ok: true; startsAt: string; durationMinutes: number }
  | { ok: false; field: 'when' | 'duration'; error: WhenError };

/**
 * The start as an instant and the length, or the first problem to show. The server checks
 * again; this only spares a round trip and catches times the clocks skip (DST).
 */
export function readWhen(input: WhenInput, now: number): WhenResult {
  const d = input.durationMinutes;
  if (
    !Number.isInteger(d) ||
    d < APPOINTMENT_LIMITS.minDurationMinutes ||
    d > APPOINTMENT_LIMITS.maxDurationMinutes
  ) {
    return { ok: false, field: 'duration', error: 'duration' };
  }
  if (!input.local.trim()) return { ok: false, field: 'when', error: 'whenRequired' };
  const at = fromLocalInput(input.local, input.zone);
  if (!at.ok) return { ok: false, field: 'when', error: at.error };
  if (at.ms <= now) return { ok: false, field: 'when', error: 'past' };
  return { ok: true, startsAt: at.iso, durationMinutes: d };
}

/** The text of a WhenError, from the form's i18n keys (`t` is vue-i18n's). */
export function whenErrorText(
  t: (key: string, params?: Record<string, unknown>) => string,
  e: WhenError,
): string {
  return e === 'duration'
    ? t('appointments.form.errors.duration', {
        min: APPOINTMENT_LIMITS.minDurationMinutes,
        max: APPOINTMENT_LIMITS.maxDurationMinutes,
      })
    : t(`appointments.form.errors.${e}`);
}
