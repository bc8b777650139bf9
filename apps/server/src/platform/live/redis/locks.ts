import { randomUUID } from 'node:crypto';
import type { Locks } from '../locks.js';
import { createMemoryLocks } from '../memory/locks.js';
import type { RedisConnection } from './connection.js';
import { lockExtend, lockRelease, runScript } from './scripts.js';

/**
 * Short, and renewed every third of it while the task runs: a process that dies holding a
 * room's lock (kill -9 in the middle of a join) stalls that room for at most this long.
 */
const DEFAULT_TTL_MS = 5_000;
/** A task that cannot get its key within this long fails instead of waiting for ever. */
const MAX_WAIT_MS = 30_000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A lock per key across processes: `SET key token NX PX ttl`, released only by its
 * holder (compare-and-delete) and extended while the task runs, so a process that dies
 * holding one frees the key after at most `ttlMs`. Waiters in one process queue locally
 * first (order kept, one poller per key); across processes they poll with backoff.
 * These timers are real ones on purpose: a lock guards real network round trips.
 */
export function createRedisLocks(
  redis: RedisConnection,
  prefix: string,
  onError: (err: unknown) => void,
): Locks {
  const local = createMemoryLocks();

  async function acquire(key: string, token: string, ttlMs: number): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const ok = await redis.set(key, token, {
        condition: 'NX',
        expiration: { type: 'PX', value: ttlMs },
      });
      if (ok === 'OK') return;
      if (Date.now() - started > MAX_WAIT_MS) {
        throw new Error(`lock ${key} still held after ${MAX_WAIT_MS} ms`);
      }
      await delay(Math.min(2 ** attempt, 50) + Math.random() * 5);
    }
  }

  return {
    run(name, task, opts) {
      const ttlMs = opts?.ttlMs ?? DEFAULT_TTL_MS;
      const key = `${prefix}lock:${name}`;
      return local.run(name, async () => {
        const token = randomUUID();
        await acquire(key, token, ttlMs);
        // A lock lost anyway (Redis away longer than the ttl) cannot stop a task midway;
        // it is logged, and the room's next change is serialized again.
        const keepAlive = setInterval(
          () => {
            runScript(redis, lockExtend, [key, token, ttlMs]).then(
              (kept) => {
                if (Number(kept) !== 1) onError(new Error(`lock ${name} expired while held`));
              },
              () => undefined,
            );
          },
          Math.max(100, Math.floor(ttlMs / 3)),
        );
        try {
          return await task();
        } finally {
          clearInterval(keepAlive);
          await runScript(redis, lockRelease, [key, token]).catch(() => undefined);
        }
      });
    },
  };
}
