/**
 * Rate limits as live state: async, so a shared store (Redis) can implement them and
 * every process sees the same counts. Time is the app clock's, so tests move it.
 */

/** Counts failures per key in a fixed window (login per account and per IP, room passwords). */
export interface AttemptLimiter {
  /** Seconds until the key may try again, or 0 when it is not blocked. */
  blockedFor(key: string): Promise<number>;
  /** Counts a failure: the key's failures in this window, and when the window ends. */
  fail(key: string): Promise<{ count: number; resetInMs: number }>;
  reset(key: string): Promise<void>;
}

/** Token buckets per key: `burst` at once, refilled at `perSecond`. */
export interface RateLimiter {
  /** Takes a token: 0 when allowed, otherwise the milliseconds until one is free. */
  take(key: string): Promise<number>;
}

export type AttemptLimit = { limit: number; windowMs: number };
export type RateLimit = { burst: number; perSecond: number };

/**
 * Failures per key with a growing lockout (login per address+account): from the `after`-th
 * failure on, each failure locks the key for `baseMs`, doubling with every further one up
 * to `maxMs`. The count is forgotten `forgetAfterMs` after the last failure (never before
 * its lockout ends); `reset` forgives at once.
 */
export interface BackoffLimiter {
  /** Seconds until the key may try again, or 0 when it is not locked. */
  blockedFor(key: string): Promise<number>;
  /** Counts a failure: the key's failures so far, and the lockout it starts (0: none). */
  fail(key: string): Promise<{ count: number; lockedForMs: number }>;
  reset(key: string): Promise<void>;
}

export type BackoffLimit = { after: number; baseMs: number; maxMs: number; forgetAfterMs: number };

/** The lockout the `count`-th failure starts, in ms (0 below `after`). */
export function backoffLockMs(opts: BackoffLimit, count: number): number {
  if (count < opts.after) return 0;
  return Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(count - opts.after, 40));
}
