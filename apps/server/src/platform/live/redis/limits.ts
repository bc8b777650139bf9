import type { Clock } from '../../clock.js';
import type {
  AttemptLimit,
  AttemptLimiter,
  BackoffLimit,
  BackoffLimiter,
  RateLimit,
  RateLimiter,
} from '../limits.js';
import type { RedisConnection } from './connection.js';
import { attemptsFail, backoffFail, ratesTake, runScript } from './scripts.js';

/**
 * Keys outlive their window by this much in Redis's own time, then Redis drops them: the
 * app clock decides what counts, Redis's expiry only collects what nobody uses.
 */
const EXPIRY_MARGIN_MS = 60_000;

/** Fixed-window failure counts shared by every process (a brute force split over them counts once). */
export function createRedisAttemptLimiter(
  redis: RedisConnection,
  prefix: string,
  opts: AttemptLimit,
  clock: Clock,
): AttemptLimiter {
  const k = (key: string) => `${prefix}${key}`;
  return {
    async blockedFor(key) {
      const [c, r] = await redis.hmGet(k(key), ['c', 'r']);
      const now = clock.now().getTime();
      const resetAt = Number(r);
      if (r == null || c == null || resetAt <= now || Number(c) < opts.limit) return 0;
      return Math.max(1, Math.ceil((resetAt - now) / 1000));
    },
    async fail(key) {
      const [count, resetInMs] = (await runScript(redis, attemptsFail, [
        k(key),
        clock.now().getTime(),
        opts.windowMs,
        opts.windowMs + EXPIRY_MARGIN_MS,
      ])) as [number, number];
      return { count: Number(count), resetInMs: Number(resetInMs) };
    },
    async reset(key) {
      await redis.del(k(key));
    },
  };
}

/** Token buckets shared by every process. */
export function createRedisRateLimiter(
  redis: RedisConnection,
  prefix: string,
  opts: RateLimit,
  clock: Clock,
): RateLimiter {
  const fullAfterMs = Math.ceil((opts.burst / opts.perSecond) * 1000);
  return {
    async take(key) {
      return Number(
        await runScript(redis, ratesTake, [
          `${prefix}${key}`,
          clock.now().getTime(),
          opts.burst,
          opts.perSecond,
          fullAfterMs + EXPIRY_MARGIN_MS,
        ]),
      );
    },
  };
}

/** Growing lockouts shared by every process (an attacker switching processes gains nothing). */
export function createRedisBackoffLimiter(
  redis: RedisConnection,
  prefix: string,
  opts: BackoffLimit,
  clock: Clock,
): BackoffLimiter {
  const k = (key: string) => `${prefix}${key}`;
  return {
    async blockedFor(key) {
      const [l, f] = await redis.hmGet(k(key), ['l', 'f']);
      const now = clock.now().getTime();
      const until = Number(l);
      if (l == null || f == null || Number(f) <= now || until <= now) return 0;
      return Math.max(1, Math.ceil((until - now) / 1000));
    },
    async fail(key) {
      const [count, lockedForMs] = (await runScript(redis, backoffFail, [
        k(key),
        clock.now().getTime(),
        opts.after,
        opts.baseMs,
        opts.maxMs,
        opts.forgetAfterMs,
        EXPIRY_MARGIN_MS,
      ])) as [number, number];
      return { count: Number(count), lockedForMs: Number(lockedForMs) };
    },
    async reset(key) {
      await redis.del(k(key));
    },
  };
}
