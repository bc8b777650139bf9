import { describe, expect, it } from 'vitest';
import { createMemorySocketCounts } from './socket-counts.js';

// A key with one socket is kept as a pair, a Map made for a second (memory per socket):
// counts, refusals and sweeps must not depend on which one a key is held in.
describe('memory socket counts, one socket or several under a key', () => {
  it('counts through one, two and back to one socket under a key', async () => {
    const counts = createMemorySocketCounts();
    expect(await counts.take('user:u', 's1', 'p1', 2)).toBe(true);
    expect(await counts.take('user:u', 's1', 'p1', 2)).toBe(true);
    expect(await counts.count('user:u')).toBe(1);
    expect(await counts.take('user:u', 's2', 'p2', 2)).toBe(true);
    expect(await counts.take('user:u', 's3', 'p1', 2)).toBe(false);
    expect(await counts.count('user:u')).toBe(2);

    await counts.release('user:u', 's1');
    await counts.release('user:u', 'never-counted');
    expect(await counts.count('user:u')).toBe(1);
    // The one left is still counted by its own id, and its owner is still p2.
    expect(await counts.take('user:u', 's2', 'p1', 1)).toBe(true);
    expect(await counts.take('user:u', 's3', 'p1', 1)).toBe(false);
    await counts.drop('p2');
    expect(await counts.count('user:u')).toBe(0);

    expect(await counts.take('user:u', 's4', 'p1', 1)).toBe(true);
    await counts.release('user:u', 's9');
    expect(await counts.count('user:u')).toBe(1);
    await counts.release('user:u', 's4');
    expect(await counts.count('user:u')).toBe(0);
  });

  it('sweeps a dead process out of single and shared keys alike', async () => {
    const counts = createMemorySocketCounts();
    await counts.heartbeat('alive', 1_000);
    await counts.heartbeat('dead', 1_000);
    await counts.take('user:a', 's1', 'dead', 5);
    await counts.take('user:b', 's2', 'alive', 5);
    await counts.take('ip:x', 's1', 'dead', 5);
    await counts.take('ip:x', 's2', 'alive', 5);
    await counts.take('ip:x', 's3', 'dead', 5);
    await counts.heartbeat('alive', 5_000);
    expect(await counts.sweep(2_000)).toBe(3);
    expect(await counts.count('user:a')).toBe(0);
    expect(await counts.count('user:b')).toBe(1);
    expect(await counts.count('ip:x')).toBe(1);
    expect(await counts.take('ip:x', 's4', 'alive', 2)).toBe(true);
    expect(await counts.take('ip:x', 's5', 'alive', 2)).toBe(false);
  });
});
