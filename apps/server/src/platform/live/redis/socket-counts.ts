import type { SocketCounts } from '../socket-counts.js';
import type { RedisConnection } from './connection.js';
import {
  rosterHeartbeat,
  runScript,
  socketsDrop,
  socketsRelease,
  socketsSweep,
  socketsTake,
} from './scripts.js';

/** Socket counts in Redis hashes; take, release and sweep are one Lua script each. */
export function createRedisSocketCounts(redis: RedisConnection, prefix: string): SocketCounts {
  return {
    async take(key, id, processId, limit) {
      const reply = await runScript(redis, socketsTake, [prefix, key, id, processId, limit]);
      return Number(reply) === 1;
    },
    async release(key, id) {
      await runScript(redis, socketsRelease, [prefix, key, id]);
    },
    count: (key) => redis.hLen(`${prefix}sockets:${key}`),
    async heartbeat(processId, until) {
      // The roster's lease script on a zset of its own (`<prefix>sockets-leases`).
      const reply = await runScript(redis, rosterHeartbeat, [
        `${prefix}sockets-`,
        processId,
        until,
      ]);
      return Number(reply) === 1;
    },
    async sweep(now, self) {
      return Number(await runScript(redis, socketsSweep, [prefix, now, self ?? '']));
    },
    async drop(processId) {
      await runScript(redis, socketsDrop, [prefix, processId]);
    },
  };
}
