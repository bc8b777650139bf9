import type { Clock } from './clock.js';

/**
 * Counts failures per key in a fixed window. Used for login throttling per account
 * and per IP. In-memory for one process; a Redis implementation joins with scale-out.
 */
export interface AttemptLimiter {
  /** Seconds until the key may try again, or 0 when it is not blocked. */
  blockedFor(key: string): number;
  fail(key: string): void;
  reset(key: string): void;
}

export function createMemoryAttemptLimiter(
  limit: number,
  windowMs: number,
  clock: Clock,
): AttemptLimiter {
  const entries = new Map<string, { count: number; resetAt: number }>();
  const MAX_KEYS = 100_000; // bounds memory under a spray of distinct keys

  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.resetAt <= clock.now().getTime()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };

  return {
    blockedFor(key) {
      const e = live(key);
      if (!e || e.count < limit) return 0;
      return Math.max(1, Math.ceil((e.resetAt - clock.now().getTime()) / 1000));
    },
    fail(key) {
      const e = live(key);
      if (e) {
        e.count++;
        return;
      }
      if (entries.size >= MAX_KEYS) {
        // Evict the oldest entry (Map keeps insertion order).
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { count: 1, resetAt: clock.now().getTime() + windowMs });
    },
    reset(key) {
      entries.delete(key);
    },
  };
}
