import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Clock } from './clock.js';
import type { AttemptLimiter, LiveState } from './live/index.js';
import { createMemoryAttemptLimiter } from './live/memory/limits.js';

/**
 * Every request waits on this count, static files included. When the shared store does
 * not answer within this long (Redis away: its commands queue), the process counts
 * alone for that request instead of holding it.
 */
const SHARED_COUNT_TIMEOUT_MS = 250;

type Incr = FastifyRateLimitStore['incr'];

/** The shared request limit's window: RATE_LIMIT_MAX requests a minute per caller. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** The plugin's own store, made with `new Store(options)`, counts the shared limit. */
const SHARED_NAMESPACE = 'global';

/**
 * @fastify/rate-limit's counters kept in the live state, so the per-IP request limits hold
 * across every process (Redis) and follow the app clock (tests). One fixed window per
 * key, like the plugin's own stores; a route with its own limit counts apart.
 * `countShared` counts one request against the limit every route without its own shares,
 * exactly as the plugin's check would: for a request that does not pass through Fastify
 * (the socket upgrade's direct path, signaling/routes.ts).
 */
export function liveRateLimitStore(live: LiveState, clock: Clock) {
  const limiters = new Map<string, { shared: AttemptLimiter; local: AttemptLimiter }>();
  // The plugin passes the window to every call; the limiter for it is made once.
  const limiterFor = (namespace: string, windowMs: number) => {
    const name = `http:${namespace}:${windowMs}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      // `limit` only matters to blockedFor, which the plugin never calls: it compares
      // the count itself.
      const opts = { limit: Number.MAX_SAFE_INTEGER, windowMs };
      limiter = {
        shared: live.attempts(name, opts),
        local: createMemoryAttemptLimiter(opts, clock),
      };
      limiters.set(name, limiter);
    }
    return limiter;
  };
  const count = (limiter: { shared: AttemptLimiter; local: AttemptLimiter }, key: string) => {
    // In memory the count answers at once: no timer and race per request.
    if (live.kind === 'memory') return limiter.shared.fail(key);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), SHARED_COUNT_TIMEOUT_MS);
    });
    // A shared store that fails (its queue is full) counts as one that is late.
    const shared = limiter.shared.fail(key).catch(() => 'late' as const);
    return Promise.race([shared, late])
      .then((r) => (r === 'late' ? limiter.local.fail(key) : r))
      .finally(() => clearTimeout(timer));
  };

  class LiveRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options?: FastifyRateLimitOptions,
      readonly namespace = SHARED_NAMESPACE,
    ) {}

    incr(key: string, callback: Parameters<Incr>[1], timeWindow: number): void {
      count(limiterFor(this.namespace, timeWindow), key).then(
        ({ count, resetInMs }) => callback(null, { current: count, ttl: resetInMs }),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]) {
      // What the plugin really passes: its merged limits, with the route under routeInfo.
      const { routeInfo: info = {} } = routeOptions as unknown as {
        routeInfo?: { method?: string | string[]; url?: string };
      };
      return new LiveRateLimitStore(
        undefined,
        `${[info.method].flat().join(',')} ${info.url ?? ''}`,
      );
    }
  }
  const countShared = async (key: string): Promise<number> =>
    (await count(limiterFor(SHARED_NAMESPACE, RATE_LIMIT_WINDOW_MS), key)).count;
  return { Store: LiveRateLimitStore, countShared };
}
