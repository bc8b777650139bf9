/**
 * Per-connection message rate: `burst` tokens, refilled at `perSecond`. Monotonic time
 * (the hub's timers), not the wall clock: a clock that steps must not refill a bucket.
 * Per connection and so per process: a socket lives on one process.
 */
export type BucketRate = { perSecond: number; burst: number; now: () => number };

/** What a bucket keeps: tokens left, and when they were counted (monotonic ms). */
export type BucketLevel = { tokens: number; tokensAt: number };

/** Takes one token from `level` (updated in place); false when the bucket is empty. */
export function takeToken(level: BucketLevel, rate: BucketRate): boolean {
  const t = rate.now();
  level.tokens = Math.min(
    rate.burst,
    level.tokens + ((t - level.tokensAt) / 1000) * rate.perSecond,
  );
  level.tokensAt = t;
  if (level.tokens < 1) return false;
  level.tokens -= 1;
  return true;
}

export class TokenBucket implements BucketLevel {
  tokens: number;
  tokensAt: number;
  private readonly rate: BucketRate;

  constructor(perSecond: number, burst: number, now: () => number) {
    this.rate = { perSecond, burst, now };
    this.tokens = burst;
    this.tokensAt = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    return takeToken(this, this.rate);
  }
}
