import { randomBytes } from 'node:crypto';
import type { MetricsSummary } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import type { LiveState } from '../../platform/live/index.js';
import { createRedisLiveState } from '../../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../../platform/live/redis/testing.js';
import { TEST_DATABASE_URL } from '../../test/harness.js';
import type { Dialect } from '../../test/harness.js';
import { SignalingServer } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';

// The admin summary's `links` and `calls` are the whole deployment's, whichever process
// answers: link reports are tallied in the live state, calls read from the database. Two
// apps sharing one database and one live state stand in for two processes. SQLite with
// memory live state always; PostgreSQL and Redis too when TEST_DATABASE_URL /
// TEST_REDIS_URL are set.

type Setup = { dialect: Dialect; redis: boolean };
const SETUPS: Setup[] = [
  { dialect: 'sqlite', redis: false },
  ...(TEST_DATABASE_URL || TEST_REDIS_URL
    ? [
        {
          dialect: TEST_DATABASE_URL ? ('postgres' as const) : ('sqlite' as const),
          redis: !!TEST_REDIS_URL,
        },
      ]
    : []),
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function twoProcesses(setup: Setup) {
  const clock = new ManualClock(new Date('2031-03-03T09:30:00.000Z'));
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const live: LiveState = setup.redis
    ? await createRedisLiveState({ url: TEST_REDIS_URL!, prefix, clock })
    : createMemoryLiveState(clock);
  cleanups.push(async () => {
    await live.close();
    if (setup.redis) await dropKeys(TEST_REDIS_URL!, prefix);
  });
  const a = await SignalingServer.start({}, { dialect: setup.dialect, clock, timers: clock, live });
  cleanups.push(() => a.close());
  const b = await SignalingServer.start({}, { db: a.t.db, clock, timers: clock, live });
  cleanups.push(() => b.close());
  const admin = await a.member('admin');
  await a.t.db.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.id).execute();
  return { a, b, clock, admin };
}

async function summary(s: SignalingServer, admin: Person): Promise<MetricsSummary> {
  const res = await s.api('GET', '/api/admin/metrics/summary', admin);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as MetricsSummary;
}

/** A direct call placed on `s` to someone not to be disturbed: `busy` (final) at once. */
async function busyCall(s: SignalingServer): Promise<string> {
  const [caller, callee] = [await s.member('caller'), await s.member('callee')];
  await s.t.db.db
    .updateTable('users')
    .set({ do_not_disturb: 1 })
    .where('id', '=', callee.id)
    .execute();
  const res = await s.api('POST', '/api/calls', caller, { calleeId: callee.id, media: 'audio' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const call = res.body.call as { id: string; state: string };
  expect(call.state).toBe('busy');
  return call.id;
}

describe.each(SETUPS)('the admin summary on $dialect (redis: $redis)', (setup) => {
  it('links and calls are the whole deployment’s: a report on one process and a call on the other show on both', async () => {
    const { a, b, admin } = await twoProcesses(setup);
    const host = await a.member('host');
    const roomId = await a.createRoom(host);
    const inCall = await a.inRoom(host, roomId);
    for (const outcome of ['relay', 'failed', 'relay']) {
      expect(await inCall.request({ type: 'quality.report', outcome })).toMatchObject({
        type: 'quality.recorded',
      });
    }
    await busyCall(b);

    for (const s of [a, b]) {
      const got = await summary(s, admin);
      expect(got.links).toEqual({ direct: 0, relay: 2, failed: 1 });
      expect(got.calls).toEqual({ busy: 1 });
    }
  });

  it('calls: only those placed in the last 24 h, and only once finished', async () => {
    const { a, b, clock, admin } = await twoProcesses(setup);
    const old = await busyCall(b);
    await busyCall(a);
    const dayAgo = (ms: number) => new Date(clock.now().getTime() - ms).toISOString();
    await a.t.db.db
      .updateTable('calls')
      .set({ created_at: dayAgo(24 * 60 * 60_000 + 1) })
      .where('id', '=', old)
      .execute();
    // A call still ringing has no final status yet.
    const [caller, callee] = [await a.member('caller'), await a.member('callee')];
    const ringing = await a.api('POST', '/api/calls', caller, { calleeId: callee.id });
    expect((ringing.body.call as { state: string }).state).toBe('ringing');

    expect((await summary(b, admin)).calls).toEqual({ busy: 1 });
  });
});
