import type { Clock } from '../../platform/clock.js';

/** Keys kept at most; bounds memory under a spray of users. */
const MAX_KEYS = 10_000;

/**
 * Drops the least recently used entries of a map kept in last-use order (every use
 * deletes and re-inserts its key): those that `expired` says carry no information, and
 * then the oldest if it is still full. Stops at the first live entry, so it is cheap.
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

/**
 * Token buckets per key (here: per user) on the app clock, so tests can move time.
 * In memory for one process; a Redis implementation joins with scale-out.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {}

  /** Takes a token: 0 when allowed, otherwise the milliseconds until one is free. */
  take(key: string): number {
    const now = this.clock.now().getTime();
    const known = this.buckets.get(key);
    const b = known ?? { tokens: this.burst, at: now };
    // A clock that steps back refills nothing.
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (known) this.buckets.delete(key);
    else if (this.buckets.size >= MAX_KEYS) {
      // A bucket idle long enough to be full again is the same as no bucket.
      const fullAfterMs = (this.burst / this.perSecond) * 1000;
      sweep(this.buckets, (v) => now - v.at >= fullAfterMs);
    }
    this.buckets.set(key, b);
    if (b.tokens < 1) return Math.ceil(((1 - b.tokens) / this.perSecond) * 1000);
    b.tokens -= 1;
    return 0;
  }
}

/** At most one event per key per interval; the rest are dropped, not queued. */
export class KeyedThrottle {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  allow(key: string): boolean {
    const now = this.clock.now().getTime();
    const prev = this.last.get(key);
    // A clock that stepped back does not hold anyone's indicator for longer.
    if (prev !== undefined && now >= prev && now - prev < this.intervalMs) return false;
    if (prev !== undefined) this.last.delete(key);
    else if (this.last.size >= MAX_KEYS) sweep(this.last, (t) => now - t >= this.intervalMs);
    this.last.set(key, now);
    return true;
  }
}
