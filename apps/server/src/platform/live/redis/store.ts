import type { LiveStore } from '../store.js';
import type { RedisConnection } from './connection.js';
import { hashCas, runScript } from './scripts.js';

/**
 * Small documents in one Redis hash per store. `update` reads, applies `change` here and
 * writes back only if nobody wrote in between (a Lua compare-and-set), else tries again:
 * atomic without holding a lock across the network.
 */
export function createRedisStore<T>(redis: RedisConnection, key: string): LiveStore<T> {
  return {
    async get(field) {
      const v = await redis.hGet(key, field);
      return v == null ? undefined : (JSON.parse(v) as T);
    },
    async update(field, initial, change) {
      for (;;) {
        const current = await redis.hGet(key, field);
        const next = change(current == null ? initial : (JSON.parse(current) as T));
        const set = await runScript(redis, hashCas, [
          key,
          field,
          current == null ? 0 : 1,
          current ?? '',
          JSON.stringify(next),
        ]);
        if (Number(set) === 1) return next;
      }
    },
    async delete(field) {
      await redis.hDel(key, field);
    },
    size: () => redis.hLen(key),
  };
}
