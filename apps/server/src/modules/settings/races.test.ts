import { afterEach, describe, expect, it } from 'vitest';
import { noAudit } from '../../platform/audit.js';
import { ManualClock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { SystemSettingsTable } from '../../platform/db/schema.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import { settingsFromConfig } from '../../platform/settings.js';
import { dialects, testApp, testConfig } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { createSettingsService } from './service.js';
import { Api } from './test-settings.js';

// Reloads and writes of the live settings that overlap: a slow reload must not put back
// what a newer one replaced, and two admins saving different fields of one section at once
// must both keep their change.

type Row = SystemSettingsTable;

/**
 * A database whose settings reads the test answers one by one, in any order: each
 * `selectFrom('system_settings')…execute()` waits until the test resolves it.
 */
function answeredByHand() {
  const pending: ((rows: Row[]) => void)[] = [];
  const db = {
    selectFrom: () => ({
      selectAll: () => ({
        execute: () => new Promise<Row[]>((resolve) => pending.push(resolve)),
      }),
    }),
  } as unknown as Db;
  return { db, pending };
}

const row = (key: string, value: unknown, at: string): Row => ({
  key,
  value: JSON.stringify(value),
  updated_at: at,
  updated_by: null,
});

describe('settings reloads that overlap', () => {
  it('a reload that finishes after a newer one does not put the older settings back', async () => {
    const clock = new ManualClock();
    const live = createMemoryLiveState(clock);
    const { db, pending } = answeredByHand();
    const settings = createSettingsService({
      db,
      dialect: 'sqlite',
      bus: live.bus,
      clock,
      audit: noAudit,
      seed: { ...settingsFromConfig(testConfig()), registration: 'open' },
    });
    // The periodic reload starts, and is slow: it read the rows before the change…
    const slow = settings.load();
    // …while the reload the change announced starts later and is answered at once.
    const fresh = settings.load();
    pending[1]!([row('registration', 'closed', '2026-01-01T00:00:01.000Z')]);
    await fresh;
    expect(settings.get().registration).toBe('closed');

    pending[0]!([]);
    await slow;
    expect(settings.get().registration).toBe('closed');
    expect(settings.view().updatedAt).toBe('2026-01-01T00:00:01.000Z');

    // The next reload applies whatever it reads, as always.
    const next = settings.load();
    pending[2]!([row('registration', 'invite-only', '2026-01-01T00:00:02.000Z')]);
    await next;
    expect(settings.get().registration).toBe('invite-only');
    settings.close();
    await live.close();
  });
});

describe.each(dialects)('settings races on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('two admins saving different fields of `rooms` at once both keep their change', async () => {
    t = await testApp({ dialect });
    const api = new Api(t);
    const [ann, bob] = [await api.admin(), await api.admin()];
    const seed = t.services.settings.get().rooms;
    // Several rounds: each a fresh pair of values, so a lost write shows whichever wins.
    for (let round = 1; round <= 5; round++) {
      const minutes = seed.emptyRoomMinutes + round;
      const chat = round % 2 === 0;
      const [a, b] = await Promise.all([
        api.call('PATCH', '/api/admin/settings', ann, { rooms: { emptyRoomMinutes: minutes } }),
        api.call('PATCH', '/api/admin/settings', bob, { rooms: { chatEnabledByDefault: chat } }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const stored = await t.db.db
        .selectFrom('system_settings')
        .select('value')
        .where('key', '=', 'rooms')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(stored.value)).toMatchObject({
        emptyRoomMinutes: minutes,
        chatEnabledByDefault: chat,
      });
      await t.services.settings.load();
      expect(t.services.settings.get().rooms).toMatchObject({
        emptyRoomMinutes: minutes,
        chatEnabledByDefault: chat,
      });
    }
  });
});
