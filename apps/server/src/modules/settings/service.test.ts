import { SettingsResponse } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsFromConfig } from '../../platform/settings.js';
import { dialects, testApp, testConfig, testDatabase } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import type { DbHandle } from '../../platform/db/database.js';
import { Api } from './test-settings.js';

// Stored settings a process cannot use (written by a newer version, edited by hand,
// truncated) must never stop it from starting: each unusable section falls back to the
// environment's value, the usable ones still apply, and an admin can save over them.

describe.each(dialects)('stored settings a process cannot read, on %s', (dialect) => {
  let db: DbHandle | undefined;
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    await db?.close();
    t = undefined;
    db = undefined;
  });

  it('start-up survives unknown sections, invalid values and non-JSON rows; good sections still apply', async () => {
    db = await testDatabase(dialect);
    const at = new Date().toISOString();
    const rows: [string, string][] = [
      ['registration', JSON.stringify('closed')],
      ['bogus', JSON.stringify({ anything: 1 })],
      ['rooms', JSON.stringify({ defaultMaxParticipants: 'many' })],
      ['calls', 'not json {'],
      // A field a newer version added: the strict schema refuses the section as a whole.
      ['quotas', JSON.stringify({ ...settingsFromConfig(testConfig()).quotas, perMoon: 3 })],
      ['guestAccess', JSON.stringify(false)],
    ];
    await db.db
      .insertInto('system_settings')
      .values(rows.map(([key, value]) => ({ key, value, updated_at: at, updated_by: null })))
      .execute();

    t = await testApp({ db });
    const seed = settingsFromConfig(testConfig());
    expect(t.services.settings.get()).toEqual({
      ...seed,
      registration: 'closed',
      guestAccess: false,
    });

    // The admin view is valid, and saving a section replaces the bad row.
    const api = new Api(t);
    const admin = await api.admin();
    const view = await api.call('GET', '/api/admin/settings', admin);
    expect(SettingsResponse.parse(view.body).settings.rooms).toEqual(seed.rooms);
    await api.patchSettings(admin, { rooms: { defaultMaxParticipants: 4 } });
    await t.services.settings.load();
    expect(t.services.settings.get().rooms.defaultMaxParticipants).toBe(4);
    const stored = await db.db
      .selectFrom('system_settings')
      .select('value')
      .where('key', '=', 'rooms')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.value)).toEqual({ ...seed.rooms, defaultMaxParticipants: 4 });
  });
});
