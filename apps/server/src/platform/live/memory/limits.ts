import type { Clock } from '../../clock.js';
import type {
  AttemptLimit,
  AttemptLimiter,
  BackoffLimit,
  BackoffLimiter,
  RateLimit,
  RateLimiter,
} from '../limits.js';
import { backoffLockMs } from '../limits.js';

/** Keys kept at most per limiter; bounds memory under a spray of distinct keys. */
const MAX_KEYS = 100_000;

/**
 * Maps kept in last-use order (every use deletes and re-inserts its key): drops the
 * oldest entries that `expired` says carry no information, then the oldest if still full.
 */
function sweep<V>(map: Map<string, V>, expired: (v: V) => boolean): void {
  for (const [k, v] of map) {
    if (!expired(v)) break;
    map.delete(k);
  }
  if (map.size >= MAX_KEYS) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

/** The entry under `key`, unless its time is up (then it is dropped and undefined). */
function unexpired<E>(
  map: Map<string, E>,
  key: string,
  now: number,
  endsAt: (e: E) => number,
): E | undefined {
  const e = map.get(key);
  if (e && endsAt(e) <= now) {
    map.delete(key);
    return undefined;
  }
  return e;
}

export function createMemoryAttemptLimiter(opts: AttemptLimit, clock: Clock): AttemptLimiter {
  const entries = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string, now: number) => unexpired(entries, key, now, (e) => e.resetAt);
  return {
    blockedFor(key) {
      const now = clock.now().getTime();
      const e = live(key, now);
      if (!e || e.count < opts.limit) return Promise.resolve(0);
      return Promise.resolve(Math.max(1, Math.ceil((e.resetAt - now) / 1000)));
    },
    fail(key) {
      const now = clock.now().getTime();
      let e = live(key, now);
      if (e) e.count++;
      else {
        if (entries.size >= MAX_KEYS) sweep(entries, (v) => v.resetAt <= now);
        entries.set(key, (e = { count: 1, resetAt: now + opts.windowMs }));
      }
      return Promise.resolve({ count: e.count, resetInMs: e.resetAt - now });
    },
    reset(key) {
      entries.delete(key);
      return Promise.resolve();
    },
  };
}

export function createMemoryRateLimiter(opts: RateLimit, clock: Clock): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const fullAfterMs = (opts.burst / opts.perSecond) * 1000;
  return {
    take(key) {
      const now = clock.now().getTime();
      const known = buckets.get(key);
      const b = known ?? { tokens: opts.burst, at: now };
      // A clock that steps back refills nothing.
      b.tokens = Math.min(opts.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * opts.perSecond);
      b.at = now;
      if (known) buckets.delete(key);
      // A bucket idle long enough to be full again is the same as no bucket.
      else if (buckets.size >= MAX_KEYS) sweep(buckets, (v) => now - v.at >= fullAfterMs);
      buckets.set(key, b);
      if (b.tokens < 1) return Promise.resolve(Math.ceil(((1 - b.tokens) / opts.perSecond) * 1000));
      b.tokens -= 1;
      return Promise.resolve(0);
    },
  };
}

export function createMemoryBackoffLimiter(opts: BackoffLimit, clock: Clock): BackoffLimiter {
  const entries = new Map<string, { count: number; lockedUntil: number; forgetAt: number }>();
  const live = (key: string, now: number) => unexpired(entries, key, now, (e) => e.forgetAt);
  return {
    blockedFor(key) {
      const now = clock.now().getTime();
      const e = live(key, now);
      if (!e || e.lockedUntil <= now) return Promise.resolve(0);
      return Promise.resolve(Math.max(1, Math.ceil((e.lockedUntil - now) / 1000)));
    },
    fail(key) {
      const now = clock.now().getTime();
      const e = live(key, now) ?? { count: 0, lockedUntil: 0, forgetAt: 0 };
      e.count++;
      const lockedForMs = backoffLockMs(opts, e.count);
      if (lockedForMs > 0) e.lockedUntil = now + lockedForMs;
      e.forgetAt = now + Math.max(opts.forgetAfterMs, lockedForMs);
      // Last-use order, so the sweep finds forgotten keys first.
      entries.delete(key);
      if (entries.size >= MAX_KEYS) sweep(entries, (v) => v.forgetAt <= now);
      entries.set(key, e);
      return Promise.resolve({ count: e.count, lockedForMs });
    },
    reset(key) {
      entries.delete(key);
      return Promise.resolve();
    },
  };
}
