import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { LiveState } from './index.js';
import { createMemoryLiveState } from './index.js';
import { createRedisLiveState } from './redis/index.js';

/**
 * Memory by default; Redis when REDIS_URL is set, so every process shares it. Redis
 * reports each failed reconnect; one line per outage (and one a minute while it lasts)
 * is enough for the log.
 */
export async function makeLiveState(
  config: Config,
  clock: Clock,
  log: FastifyBaseLogger,
): Promise<LiveState> {
  if (!config.redis) {
    return createMemoryLiveState(clock, (err) => log.error({ err }, 'domain event handler failed'));
  }
  let quietUntil = 0;
  return createRedisLiveState({
    url: config.redis.url,
    prefix: config.redis.prefix,
    clock,
    onError(err) {
      const now = Date.now();
      if (now < quietUntil) return;
      quietUntil = now + 60_000;
      log.error({ err }, 'live state (Redis) error; further ones are quiet for a minute');
    },
  });
}
