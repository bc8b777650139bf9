import type { Deadlines } from '../deadlines.js';
import type { RedisConnection } from './connection.js';
import { deadlinesCancelPrefix, deadlinesTake, runScript } from './scripts.js';

/** One sorted set per name (member: key, score: when due); taking is one script, so once. */
export function createRedisDeadlines(redis: RedisConnection, key: string): Deadlines {
  return {
    async set(member, at) {
      await redis.zAdd(key, { score: at, value: member });
    },
    async cancel(member) {
      await redis.zRem(key, member);
    },
    async cancelPrefix(prefix) {
      await runScript(redis, deadlinesCancelPrefix, [key, prefix]);
    },
    async takeDue(now, limit) {
      return ((await runScript(redis, deadlinesTake, [key, now, limit])) as string[]).map(String);
    },
    async get(member) {
      const score = await redis.zScore(key, member);
      return score == null ? undefined : Number(score);
    },
  };
}
