import { randomBytes } from 'node:crypto';
import type { ManualClock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import { createMemoryLiveState } from '../platform/live/index.js';
import type { LiveState } from '../platform/live/index.js';
import { createRedisLiveState } from '../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../platform/live/redis/testing.js';
import { dialects, testApp } from '../test/harness.js';
import type { Dialect, TestApp } from '../test/harness.js';

export type LiveKind = 'memory' | 'redis';

/**
 * Where a shared throttle is proven: live state in memory on every dialect; Redis (on
 * PostgreSQL when it is there too, as deployed) when TEST_REDIS_URL is set.
 */
export const deployments: { live: LiveKind; dialect: Dialect }[] = [
  ...dialects.map((dialect) => ({ live: 'memory' as const, dialect })),
  ...(TEST_REDIS_URL ? [{ live: 'redis' as const, dialect: dialects.at(-1)! }] : []),
];

/**
 * Two app instances of one deployment on one database and one fake clock: with `memory`
 * they share one live state (what tests use for two processes); with `redis` each has its
 * own connection to one Redis under one key prefix, as two processes would.
 */
export async function twoProcesses(opts: {
  live: LiveKind;
  dialect: Dialect;
  clock: ManualClock;
  config?: Partial<Config>;
}): Promise<{ a: TestApp; b: TestApp; close: () => Promise<void> }> {
  const { clock } = opts;
  let lives: LiveState[];
  let cleanup = () => Promise.resolve();
  if (opts.live === 'memory') {
    lives = [createMemoryLiveState(clock)];
  } else {
    const url = TEST_REDIS_URL;
    if (!url) throw new Error('TEST_REDIS_URL is not set');
    const prefix = `test:security:${randomBytes(6).toString('hex')}:`;
    lives = [
      await createRedisLiveState({ url, prefix, clock }),
      await createRedisLiveState({ url, prefix, clock }),
    ];
    cleanup = () => dropKeys(url, prefix);
  }
  const liveOf = (i: number) => lives[i % lives.length]!;
  const a = await testApp({
    dialect: opts.dialect,
    clock,
    live: liveOf(0),
    ...(opts.config ? { config: opts.config } : {}),
  });
  const b = await testApp({
    db: a.db,
    clock,
    live: liveOf(1),
    ...(opts.config ? { config: opts.config } : {}),
  });
  return {
    a,
    b,
    close: async () => {
      await b.close();
      await a.close(); // closes the database
      for (const live of lives) await live.close();
      await cleanup();
    },
  };
}
