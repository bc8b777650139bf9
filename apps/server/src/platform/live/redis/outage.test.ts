import type { RosterEntry, ServerMessage } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import type { Envelope, LiveState, LiveStatus } from '../index.js';
import { ownRedis } from '../../../test/redis-server.js';
import { createRedisLiveState } from './index.js';
import { TEST_REDIS_URL } from './testing.js';

// Redis going away and coming back, for real: a redis-server of the test's own is stopped
// and started again on the same port while two "processes" (two live states, each with
// its own connections) keep working.

const roomId = '00000000-0000-4000-8000-000000000001';
const chat = (n: number): ServerMessage => ({
  type: 'chat.typing',
  roomId,
  userId: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
  displayName: `m${n}`,
});
const entry = (connectionId: string): RosterEntry => ({
  connectionId,
  userId: '00000000-0000-4000-8000-000000000010',
  displayName: 'Ada',
  isGuest: false,
  role: 'participant',
  media: { audio: true, video: true, screen: false, handRaised: false },
  joinedAt: new Date(0).toISOString(),
  handRaisedAt: null,
});

const open: LiveState[] = [];
const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function twoProcesses(persist: boolean) {
  const redis = await ownRedis({ persist });
  servers.push(redis);
  const clock = new ManualClock();
  const make = async () => {
    const live = await createRedisLiveState({ url: redis.url, prefix: 'o:', clock });
    open.push(live);
    const statuses: LiveStatus[] = [];
    const seen: string[] = [];
    live.onStatus((s) => statuses.push(s));
    live.bus.subscribe((e: Envelope) =>
      seen.push((JSON.parse(e.payload) as { displayName: string }).displayName),
    );
    return { live, statuses, seen };
  };
  return { redis, a: await make(), b: await make() };
}

describe.skipIf(!TEST_REDIS_URL)('Redis live state through an outage', () => {
  it('restarting with its data: work waits, nothing is lost or reordered, health says degraded meanwhile', async () => {
    const { redis, a, b } = await twoProcesses(true);
    await a.live.bus.toRoom(roomId, chat(1));
    await a.live.roster.add(roomId, entry('c1'), 'pa');
    await waitFor(() => b.seen.length === 1);

    await redis.stop();
    await waitFor(() => a.statuses.includes('down') && b.statuses.includes('down'));
    await expect(a.live.ping()).rejects.toThrow();
    // Published while Redis is away: queued by the client, not dropped — also past the
    // 5 s that node-redis would allow a command by default.
    const during = [a.live.bus.toRoom(roomId, chat(2)), b.live.bus.toRoom(roomId, chat(3))];
    await new Promise((r) => setTimeout(r, 6_000));

    await redis.start();
    await Promise.all(during);
    await a.live.bus.toRoom(roomId, chat(4));
    await waitFor(() => a.seen.length === 4 && b.seen.length === 4);
    expect(b.seen).toEqual(a.seen);
    // Each process's own publishes keep their order; the two queued ones may interleave.
    expect(a.seen[0]).toBe('m1');
    expect(a.seen[3]).toBe('m4');
    expect([...a.seen].sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(a.statuses.at(-1)).toBe('up');
    expect(b.statuses.at(-1)).toBe('up');
    expect(a.statuses).not.toContain('lost');
    expect((await b.live.roster.list(roomId)).map((e) => e.connectionId)).toEqual(['c1']);
    await a.live.ping();
  });

  it('restarting empty: every process is told its live state was lost, and the bus goes on', async () => {
    const { redis, a, b } = await twoProcesses(false);
    await a.live.roster.add(roomId, entry('c1'), 'pa');
    await a.live.bus.toRoom(roomId, chat(1));
    await waitFor(() => b.seen.length === 1);

    await redis.stop();
    await waitFor(() => a.statuses.includes('down') && b.statuses.includes('down'));
    await redis.start();
    await waitFor(() => a.statuses.includes('lost') && b.statuses.includes('lost'));
    expect(await b.live.roster.list(roomId)).toEqual([]); // what the app must rebuild

    await b.live.bus.toRoom(roomId, chat(2));
    await waitFor(() => a.seen.includes('m2') && b.seen.includes('m2'));
  });
});

/** Polls on real time: reconnection runs on the Redis client's own timers. */
async function waitFor(condition: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
