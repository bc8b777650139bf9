import type { Clock } from '../../clock.js';
import type { LiveState, LiveStatus } from '../index.js';
import { createRedisBus } from './bus.js';
import { connect, disconnect, redisConnection } from './connection.js';
import { createRedisDeadlines } from './deadlines.js';
import {
  createRedisAttemptLimiter,
  createRedisBackoffLimiter,
  createRedisRateLimiter,
} from './limits.js';
import { createRedisLocks } from './locks.js';
import { createRedisRoster } from './roster.js';
import { createRedisSocketCounts } from './socket-counts.js';
import { createRedisStore } from './store.js';

export type RedisLiveOptions = {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  clock: Clock;
  onError?: (err: unknown) => void;
};

/**
 * Live state shared by every process through one Redis: two connections (commands, and
 * a blocking reader for the bus stream). Resolves once both are up; throws a clear
 * message when Redis cannot be reached at start-up. Later outages are ridden out.
 */
export async function createRedisLiveState(opts: RedisLiveOptions): Promise<LiveState> {
  const prefix = opts.prefix ?? 'parley:';
  const onError = opts.onError ?? (() => undefined);
  const statusHandlers = new Set<(s: LiveStatus) => void>();
  const redis = redisConnection(opts.url, 'parley', onError, { keepAlive: true });
  const reader = redisConnection(opts.url, 'parley-bus-reader', onError, { keepAlive: false });
  await connect(redis, opts.url);
  try {
    await connect(reader, opts.url);
  } catch (err) {
    await disconnect(redis);
    throw err;
  }
  const bus = createRedisBus({
    redis,
    reader,
    key: `${prefix}bus`,
    epochKey: `${prefix}epoch`,
    onError,
    onStatus: (s) => {
      for (const h of statusHandlers) h(s);
    },
  });
  await bus.start();

  const named = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!named.has(key)) named.set(key, make());
    return named.get(key) as T;
  };
  return {
    kind: 'redis',
    bus,
    roster: createRedisRoster(redis, prefix),
    socketCounts: createRedisSocketCounts(redis, prefix),
    locks: createRedisLocks(redis, prefix, onError),
    deadlines: (name) =>
      once(`deadlines:${name}`, () => createRedisDeadlines(redis, `${prefix}deadlines:${name}`)),
    attempts: (name, o) =>
      once(`attempts:${name}`, () =>
        createRedisAttemptLimiter(redis, `${prefix}attempts:${name}:`, o, opts.clock),
      ),
    backoff: (name, o) =>
      once(`backoff:${name}`, () =>
        createRedisBackoffLimiter(redis, `${prefix}backoff:${name}:`, o, opts.clock),
      ),
    rates: (name, o) =>
      once(`rates:${name}`, () =>
        createRedisRateLimiter(redis, `${prefix}rates:${name}:`, o, opts.clock),
      ),
    store: <T>(name: string) =>
      once(`store:${name}`, () => createRedisStore<T>(redis, `${prefix}store:${name}`)),
    onStatus(handler) {
      statusHandlers.add(handler);
      return () => statusHandlers.delete(handler);
    },
    ping: () => bus.ping(),
    async close() {
      statusHandlers.clear();
      await bus.close();
      await disconnect(redis);
    },
  };
}
