import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../clock.js';
import type { LiveState } from '../index.js';
import { createRedisLiveState } from './index.js';
import { TEST_REDIS_URL, dropKeys } from './testing.js';

// The contract suite runs locks within one process, where the local queue alone would
// pass it. Here two live states (two processes' connections) contend for real.

const open: LiveState[] = [];
let prefix = '';
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  if (TEST_REDIS_URL) await dropKeys(TEST_REDIS_URL, prefix);
});

async function processes(n: number): Promise<LiveState[]> {
  prefix = `test:${randomBytes(6).toString('hex')}:`;
  for (let i = 0; i < n; i++) {
    open.push(await createRedisLiveState({ url: TEST_REDIS_URL!, prefix, clock: systemClock }));
  }
  return open;
}

describe.skipIf(!TEST_REDIS_URL)('Redis locks across processes', () => {
  it('never lets two processes hold one key at once', async () => {
    const [a, b] = await processes(2);
    let inside = 0;
    let most = 0;
    const task = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setImmediate(r));
      await a!.roster.countUsers('x'); // a round trip while holding it
      inside--;
    };
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).locks.run('room', task)),
    );
    expect(most).toBe(1);
  });

  it('a holder that dies frees the key after the ttl, not never', async () => {
    const [a, b] = await processes(2);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let acquired!: () => void;
    const has = new Promise<void>((r) => (acquired = r));
    const holding = a!.locks
      .run(
        'room',
        () => {
          acquired();
          return held;
        },
        { ttlMs: 300 },
      )
      .catch(() => undefined);
    await has;
    await a!.close(); // its connection (and renewals) gone, the task never finishes
    open.splice(open.indexOf(a!), 1);
    expect(await b!.locks.run('room', () => Promise.resolve('got it'), { ttlMs: 300 })).toBe(
      'got it',
    );
    release();
    await holding;
  });
});
