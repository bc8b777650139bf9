import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { fixedSettings, settingsFromConfig } from '../../platform/settings.js';
import { dialects, newAccount, testApp, testConfig, testDatabase } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import type { DbHandle } from '../../platform/db/database.js';
import { createAuditPurge, PURGE_INTERVAL_MS } from './purge.js';
import { deleteOlderThan } from './repo.js';
import { eventually } from '../signaling/test-server.js';
import { request } from './test-audit.js';

// Retention: entries older than `audit.retentionDays` on the app clock go, in short
// batches, and nothing else does. Far from the real date, so a purge reading the wall
// clock could never pass for one reading the app's.

const DAY = 86_400_000;
const START = new Date('2033-07-01T00:00:00.000Z');
const iso = (ms: number) => new Date(START.getTime() + ms).toISOString();

describe.each(dialects)('the audit purge on %s', (dialect) => {
  let handle: DbHandle | undefined;
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await handle?.close();
    handle = undefined;
  });

  /** Rows written straight in at `ats` (offsets from START). */
  async function seed(db: DbHandle, ats: number[]): Promise<void> {
    let n = 0;
    for (const at of ats) {
      n++;
      await db.db
        .insertInto('audit_events')
        .values({
          id: `seed-${String(n).padStart(4, '0')}`,
          at: iso(at),
          type: 'auth.login',
          actor_id: null,
          target_type: null,
          target_id: null,
          ip: null,
          user_agent: null,
          details: JSON.stringify({ at }),
        })
        .execute();
    }
  }
  async function left(db: DbHandle): Promise<number[]> {
    const rows = await db.db.selectFrom('audit_events').select('details').orderBy('at').execute();
    return rows.map((r) => (JSON.parse(r.details) as { at: number }).at);
  }
  const retention = (days: number) =>
    fixedSettings({ ...settingsFromConfig(testConfig()), audit: { retentionDays: days } });

  it('removes exactly the entries older than the retention, by the fake clock', async () => {
    handle = await testDatabase(dialect);
    const clock = new ManualClock(new Date(START.getTime() + 100 * DAY));
    // Cutoff: day 100 − 90 days = day 10. Exactly at it stays; a millisecond before goes.
    await seed(handle, [0, 5 * DAY, 10 * DAY - 1, 10 * DAY, 10 * DAY + 1, 99 * DAY]);
    const purge = createAuditPurge({ db: handle.db, clock, settings: retention(90) });
    expect(await purge()).toBe(3);
    expect(await left(handle)).toEqual([10 * DAY, 10 * DAY + 1, 99 * DAY]);
    // Nothing more is old until the clock moves.
    expect(await purge()).toBe(0);
    clock.advance(1);
    expect(await purge()).toBe(1);
    expect(await left(handle)).toEqual([10 * DAY + 1, 99 * DAY]);
  });

  it('deletes in batches of the given size, oldest first, until a short one', async () => {
    handle = await testDatabase(dialect);
    await seed(handle, [1, 2, 3, 4, 5, 6, 7, 50 * DAY]);
    // One statement removes at most `batch` rows, the oldest.
    expect(await deleteOlderThan(handle.db, iso(10 * DAY), 3)).toBe(3);
    expect(await left(handle)).toEqual([4, 5, 6, 7, 50 * DAY]);
    const clock = new ManualClock(new Date(START.getTime() + 40 * DAY));
    const purge = createAuditPurge({ db: handle.db, clock, settings: retention(30), batch: 3 });
    expect(await purge()).toBe(4);
    expect(await left(handle)).toEqual([50 * DAY]);
  });

  it('runs hourly inside the app on its clock, with the retention as set at each pass', async () => {
    const clock = new ManualClock(START);
    // The app's other chores far apart, so an hour of fake time fires few of them.
    const hour = PURGE_INTERVAL_MS;
    const base = testConfig();
    t = await testApp({
      dialect,
      clock,
      timers: clock,
      config: {
        calls: { ...base.calls, reapIntervalMs: hour },
        appointments: { ...base.appointments, upkeepIntervalMs: hour },
        rooms: { ...base.rooms, cleanupIntervalMs: hour },
        live: { expiryMs: 2 * hour, tickMs: hour / 2 },
      },
    });
    await t.db.db.deleteFrom('audit_events').execute();
    await seed(t.db, [-200 * DAY, -100 * DAY, -10 * DAY, -DAY]);

    await clock.tick(hour - 1);
    expect(await left(t.db)).toHaveLength(4); // not yet an hour
    await clock.tick(1);
    // Default retention 180 days. The pass runs on the timer; its queries may still be
    // on their way (PostgreSQL).
    const after = async (expected: number[]) => {
      const db = t!.db;
      const now = async () => (await left(db)).filter((at) => at !== undefined);
      await eventually(
        async () => JSON.stringify(await now()) === JSON.stringify(expected),
        `only ${JSON.stringify(expected)} left`,
      );
    };
    await after([-100 * DAY, -10 * DAY, -DAY]);

    // An admin shortens it; the next pass applies it.
    const acct = newAccount('root');
    const res = await request(t.app, 'POST', '/api/auth/register', { body: acct });
    await t.db.db
      .updateTable('users')
      .set({ role: 'admin' })
      .where('id', '=', res.body.user.id as string)
      .execute();
    const changed = await request(t.app, 'PATCH', '/api/admin/settings', {
      token: res.body.tokens.accessToken as string,
      body: { audit: { retentionDays: 5 } },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await clock.tick(hour);
    // The day-old seed stays (besides the entries this test's own requests wrote just now).
    await after([-DAY]);
  });
});
