import { randomBytes } from 'node:crypto';
import type { Clock, Timers } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import { createMemoryLiveState } from '../platform/live/index.js';
import type { LiveState } from '../platform/live/index.js';
import { createRedisLiveState } from '../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../platform/live/redis/testing.js';
import { dialects, testApp } from './harness.js';
import type { Dialect, TestApp } from './harness.js';

// Several app instances standing in for the processes of one deployment: one database,
// one fake clock and one live state. In memory they share the one object; over Redis each
// has its own connections under one key prefix, as separate processes would.

export type LiveKind = 'memory' | 'redis';

/** The live state kinds to prove a rule on: memory always, Redis when TEST_REDIS_URL is set. */
export const liveKinds: LiveKind[] = TEST_REDIS_URL ? ['memory', 'redis'] : ['memory'];

/**
 * Where a shared rule is proven: live state in memory on every dialect; Redis (on
 * PostgreSQL when it is there too, as deployed) when TEST_REDIS_URL is set.
 */
export const deployments: { live: LiveKind; dialect: Dialect }[] = [
  ...dialects.map((dialect) => ({ live: 'memory' as const, dialect })),
  ...(TEST_REDIS_URL ? [{ live: 'redis' as const, dialect: dialects.at(-1)! }] : []),
];

/** The live state of `count` processes: `lives[i]` is process i's; `close` also drops the keys. */
export async function testLives(
  kind: LiveKind,
  clock: Clock,
  count = 1,
): Promise<{ lives: LiveState[]; close: () => Promise<void> }> {
  if (kind === 'memory') {
    const live = createMemoryLiveState(clock);
    return { lives: Array.from({ length: count }, () => live), close: () => live.close() };
  }
  const url = TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set');
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const lives = await Promise.all(
    Array.from({ length: count }, () => createRedisLiveState({ url, prefix, clock })),
  );
  return {
    lives,
    close: async () => {
      for (const live of lives) await live.close();
      await dropKeys(url, prefix);
    },
  };
}

export type Deployment = {
  apps: TestApp[];
  /** Process i's live state (in memory, the same object for all). */
  lives: LiveState[];
  close: () => Promise<void>;
};

/** `processes` apps (default 2) of one deployment; the first one owns the database. */
export async function testDeployment(opts: {
  live: LiveKind;
  dialect: Dialect;
  clock: Clock;
  timers?: Timers;
  config?: Partial<Config>;
  processes?: number;
}): Promise<Deployment> {
  const { lives, close: closeLives } = await testLives(opts.live, opts.clock, opts.processes ?? 2);
  const apps: TestApp[] = [];
  const close = async () => {
    // The others borrow the first one's database: close them first.
    for (const t of [...apps].reverse()) await t.close();
    await closeLives();
  };
  try {
    for (const live of lives) {
      apps.push(
        await testApp({
          ...(apps[0] ? { db: apps[0].db } : { dialect: opts.dialect }),
          clock: opts.clock,
          live,
          ...(opts.timers ? { timers: opts.timers } : {}),
          ...(opts.config ? { config: opts.config } : {}),
        }),
      );
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { apps, lives, close };
}

/** Two processes of one deployment, as `a` and `b`. */
export async function twoProcesses(
  opts: Omit<Parameters<typeof testDeployment>[0], 'processes'>,
): Promise<Deployment & { a: TestApp; b: TestApp }> {
  const d = await testDeployment({ ...opts, processes: 2 });
  return { ...d, a: d.apps[0]!, b: d.apps[1]! };
}
