export interface Backoff {
  /** Ceiling of the first retry's wait. */
  initialMs: number;
  /** No wait is ever longer than this. */
  maxMs: number;
}

/** Reconnects start fast (a blip) and settle at one try every few seconds (an outage). */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 15_000 };

/**
 * Exponential backoff with "full jitter": a uniformly random wait in [0, cap), where the
 * cap doubles per attempt up to `maxMs`. Jitter spreads a whole room's clients apart after
 * a server restart instead of having them reconnect in lockstep.
 * `attempt` counts from 1; `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const cap = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(exponent, 30));
  return Math.floor(random() * cap);
}
