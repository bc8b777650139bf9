import type { MetricsSummary, RosterEntry } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { LiveState } from '../../platform/live/index.js';
import { testLives, twoProcesses } from '../../test/deployment.js';
import { dialects, newAccount, testApp, testConfig } from '../../test/harness.js';
import type { Dialect, TestApp } from '../../test/harness.js';
import { eventually } from '../signaling/test-server.js';
import { minuteOf } from './sampler.js';

// The admin overview's chart: every process samples the deployment at start and once a
// minute into `metric_samples`; the minute is the key, so two processes write one row.
// Rows older than a day go. Time is fake: `tick` runs the app's own minute timer.

const MINUTE = 60_000;
/** Only the sampler's minute and nothing busier fires while a test ticks. */
const HOUR = 60 * MINUTE;
const QUIET: Partial<Config> = {
  calls: { ...testConfig().calls, reapIntervalMs: HOUR },
  appointments: { ...testConfig().appointments, upkeepIntervalMs: HOUR },
  live: { expiryMs: 2 * HOUR, tickMs: HOUR },
  rooms: { emptyTimeoutMs: HOUR, cleanupIntervalMs: HOUR },
};

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const d of open.splice(0).reverse()) await d.close();
});

/**
 * Two processes of one deployment: one database, one live state, one fake clock. Both
 * sample at start (the 09:00 minute, one row); returns once that row is in.
 */
async function deployment(dialect: Dialect) {
  const clock = new ManualClock(new Date('2031-03-03T09:00:30.000Z'));
  const d = await twoProcesses({ live: 'memory', dialect, clock, timers: clock, config: QUIET });
  open.push(d);
  await eventually(async () => (await rows(d.a)).length === 1, 'the start was sampled');
  return { clock, a: d.a, b: d.b, live: d.lives[0]! };
}

const entry = (connectionId: string, userId: string): RosterEntry => ({
  connectionId,
  userId,
  displayName: userId,
  isGuest: false,
  role: 'participant',
  media: { audio: true, video: true, screen: false, handRaised: false },
  joinedAt: '2031-03-03T09:00:00.000Z',
  handRaisedAt: null,
});

/** People in calls held by a third process (its lease far ahead): 2 rooms, 3 people. */
async function peopleInCalls(live: LiveState, clock: ManualClock) {
  const r1 = '00000000-0000-4000-8000-0000000000a1';
  const r2 = '00000000-0000-4000-8000-0000000000a2';
  await live.roster.heartbeat('elsewhere', clock.now().getTime() + 24 * 60 * MINUTE);
  await live.roster.add(r1, entry('c1', 'u1'), 'elsewhere');
  await live.roster.add(r1, entry('c2', 'u1'), 'elsewhere');
  await live.roster.add(r1, entry('c3', 'u2'), 'elsewhere');
  await live.roster.add(r2, entry('c4', 'u3'), 'elsewhere');
}

const rows = (t: TestApp) =>
  t.db.db.selectFrom('metric_samples').selectAll().orderBy('at', 'asc').execute();

/**
 * One minute of fake time, then until the samples of that minute are in (a pass on
 * PostgreSQL outlasts the clock's settling; the next tick would skip a pass still running).
 */
async function minute(clock: ManualClock, t: TestApp, done: (r: Row[]) => boolean) {
  await clock.tick(MINUTE);
  await eventually(async () => done(await rows(t)), 'the minute was sampled');
}
type Row = Awaited<ReturnType<typeof rows>>[number];

async function admin(t: TestApp) {
  const account = newAccount('admin');
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: account });
  const body = res.json<{ user: { id: string } }>();
  await t.db.db
    .updateTable('users')
    .set({ role: 'admin' })
    .where('id', '=', body.user.id)
    .execute();
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: account.email, password: account.password },
  });
  return login.json<{ tokens: { accessToken: string } }>().tokens.accessToken;
}

describe.each(dialects)('metric samples on %s', (dialect) => {
  it('the first sample is taken at start, before any minute has passed', async () => {
    const clock = new ManualClock(new Date('2031-03-03T09:00:30.000Z'));
    const { lives, close } = await testLives('memory', clock);
    open.push({ close });
    await peopleInCalls(lives[0]!, clock);
    const a = await testApp({ dialect, clock, timers: clock, live: lives[0]!, config: QUIET });
    open.push(a);
    // No tick: only the start has run.
    await eventually(async () => (await rows(a)).length === 1, 'the start was sampled');
    expect(await rows(a)).toEqual([
      { at: '2031-03-03T09:00:00.000Z', participants: 3, rooms: 2, sockets: 0 },
    ]);
  });

  it('one row a minute for the whole deployment, however many processes sample it', async () => {
    const { clock, a, b, live } = await deployment(dialect);
    // Both processes started in the 09:00 minute: one row, the first writer's.
    expect(await rows(a)).toEqual([
      { at: '2031-03-03T09:00:00.000Z', participants: 0, rooms: 0, sockets: 0 },
    ]);
    await peopleInCalls(live, clock);
    a.metrics.wsConnections.inc(2);
    b.metrics.wsConnections.inc(2);

    await minute(clock, a, (r) => r.length === 2);
    expect((await rows(a)).at(-1)).toEqual({
      at: '2031-03-03T09:01:00.000Z',
      participants: 3,
      rooms: 2,
      sockets: 2,
    });
    await live.roster.remove('00000000-0000-4000-8000-0000000000a2', 'c4');
    await minute(clock, a, (r) => r.length === 3);
    await minute(clock, a, (r) => r.length === 4);
    expect((await rows(a)).map((r) => [r.at, r.participants, r.rooms])).toEqual([
      ['2031-03-03T09:00:00.000Z', 0, 0],
      ['2031-03-03T09:01:00.000Z', 3, 2],
      ['2031-03-03T09:02:00.000Z', 2, 1],
      ['2031-03-03T09:03:00.000Z', 2, 1],
    ]);
  });

  it('samples older than a day are purged at the next sample', async () => {
    const { clock, a } = await deployment(dialect);
    const ago = (ms: number) => minuteOf(new Date(clock.now().getTime() - ms));
    const old = [ago(25 * 60 * MINUTE), ago(24 * 60 * MINUTE + 2 * MINUTE)];
    const kept = ago(23 * 60 * MINUTE);
    await a.db.db
      .insertInto('metric_samples')
      .values([...old, kept].map((at) => ({ at, participants: 1, rooms: 1, sockets: 1 })))
      .execute();
    await minute(clock, a, (r) => r.length === 3);
    expect((await rows(a)).map((r) => r.at)).toEqual([
      kept,
      '2031-03-03T09:00:00.000Z',
      '2031-03-03T09:01:00.000Z',
    ]);
  });

  it('the admin summary: now and the last hour oldest first (links and calls: summary.test.ts)', async () => {
    const { clock, a, live } = await deployment(dialect);
    const token = await admin(a);
    // An hour and more of history: the oldest minute falls outside the last hour.
    const before = Array.from({ length: 62 }, (_, i) => ({
      at: minuteOf(new Date(clock.now().getTime() - (62 - i) * MINUTE)),
      participants: i,
      rooms: 1,
      sockets: 0,
    }));
    await a.db.db.insertInto('metric_samples').values(before).execute();
    await peopleInCalls(live, clock);
    await live.roster.add('@presence', entry('c1', 'u1'), 'elsewhere');
    await minute(clock, a, (r) => r.some((s) => s.at === '2031-03-03T09:01:00.000Z'));
    // This process's own counters are Prometheus's business, not the summary's.
    a.metrics.linkOutcomes.inc({ outcome: 'relay' }, 2);
    a.metrics.callsEnded.inc({ status: 'missed' }, 3);

    const res = await a.app.inject({
      method: 'GET',
      url: '/api/admin/metrics/summary',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    const summary = res.json<MetricsSummary>();
    expect(summary.now).toEqual({ participants: 3, rooms: 2, sockets: 0, usersOnline: 1 });
    expect(summary.links).toEqual({ direct: 0, relay: 0, failed: 0 });
    expect(summary.calls).toEqual({});
    // 08:02 … 08:59, 09:00 (sampled at start) and 09:01.
    expect(summary.lastHour).toHaveLength(60);
    const ats = summary.lastHour.map((s) => s.at);
    expect(ats).toEqual([...ats].sort());
    expect(ats[0]).toBe('2031-03-03T08:02:00.000Z');
    expect(summary.lastHour.at(-1)).toEqual({
      at: '2031-03-03T09:01:00.000Z',
      participants: 3,
      rooms: 2,
      sockets: 0,
    });
  });
});
