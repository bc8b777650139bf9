import { PublicSettings, SettingsResponse } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsFromConfig } from '../../platform/settings.js';
import { dialects, testApp, testConfig } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { Api, outcome } from './test-settings.js';

// The settings routes: admins read and change the system settings, a merged result that
// does not validate stores nothing, anyone may read which doors are open.

describe.each(dialects)('settings routes on %s', (dialect) => {
  let t: TestApp;
  let api: Api;
  beforeEach(async () => {
    t = await testApp({ dialect, config: { registration: 'invite-only', guestAccess: false } });
    api = new Api(t);
  });
  afterEach(async () => t.close());

  const storedRows = () => t.db.db.selectFrom('system_settings').selectAll().execute();

  it('GET /api/settings tells anyone, signed in or not, the registration mode and guest access, exactly as PublicSettings', async () => {
    const res = await api.call('GET', '/api/settings');
    expect(res.status).toBe(200);
    expect(PublicSettings.strict().parse(res.body)).toEqual({
      registration: 'invite-only',
      guestAccess: false,
    });
  });

  it('GET /api/admin/settings gives an admin the whole settings, seeded from the environment until someone changes them', async () => {
    const admin = await api.admin();
    const res = await api.call('GET', '/api/admin/settings', admin);
    expect(res.status).toBe(200);
    const body = SettingsResponse.parse(res.body);
    const seed = settingsFromConfig(
      testConfig({ registration: 'invite-only', guestAccess: false }),
    );
    expect(body).toEqual({ settings: seed, updatedAt: null, updatedBy: null });
  });

  it('only admins read or change the settings (401 without a token, 403 for a member)', async () => {
    const member = await api.member();
    expect(outcome(await api.call('GET', '/api/admin/settings'))).toBe('401 UNAUTHENTICATED');
    expect(outcome(await api.call('GET', '/api/admin/settings', member))).toBe('403 FORBIDDEN');
    const patch = await api.call('PATCH', '/api/admin/settings', member, { registration: 'open' });
    expect(outcome(patch)).toBe('403 FORBIDDEN');
    expect(await storedRows()).toEqual([]);
  });

  it('PATCH merges a section field by field, stores it, says who changed it and records it in the audit log', async () => {
    const admin = await api.admin();
    const res = await api.patchSettings(admin, {
      registration: 'open',
      rooms: { defaultMaxParticipants: 8 },
    });
    const body = SettingsResponse.parse(res.body);
    expect(body.settings.registration).toBe('open');
    expect(body.settings.rooms).toEqual({
      ...settingsFromConfig(testConfig()).rooms,
      defaultMaxParticipants: 8,
    });
    expect(body.updatedBy).toBe(admin.id);
    expect(body.updatedAt).toEqual(expect.any(String));
    // Another read (and the public view) sees the same.
    expect((await api.call('GET', '/api/admin/settings', admin)).body).toEqual(res.body);
    expect((await api.call('GET', '/api/settings')).body.registration).toBe('open');
    expect((await storedRows()).map((r) => r.key).sort()).toEqual(['registration', 'rooms']);
    const audit = await t.db.db
      .selectFrom('audit_events')
      .selectAll()
      .where('type', '=', 'settings.changed')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(admin.id);
  });

  it('a merged result that does not validate is a 400 VALIDATION_FAILED naming the field, and nothing is stored', async () => {
    const admin = await api.admin();
    // Each part is valid alone; together the default exceeds the limit.
    await api.patchSettings(admin, { rooms: { maxParticipantsLimit: 15 } });
    const before = await storedRows();
    const res = await api.call('PATCH', '/api/admin/settings', admin, {
      registration: 'closed',
      rooms: { defaultMaxParticipants: 20 },
    });
    expect(outcome(res)).toBe('400 VALIDATION_FAILED');
    expect(Object.keys(res.body.error.details.fields)).toEqual(['rooms.defaultMaxParticipants']);
    expect(await storedRows()).toEqual(before);
    expect((await api.call('GET', '/api/settings')).body.registration).toBe('invite-only');
  });

  it('unknown keys and out-of-range values are refused by the schema', async () => {
    const admin = await api.admin();
    for (const bad of [
      { colour: 'blue' },
      { rooms: { secretDoor: true } },
      { calls: { ringTimeoutSeconds: 1 } },
      { rooms: { maxParticipantsLimit: 500 } },
      { registration: 'sometimes' },
    ]) {
      expect(outcome(await api.call('PATCH', '/api/admin/settings', admin, bad))).toBe(
        '400 VALIDATION_FAILED',
      );
    }
    expect(await storedRows()).toEqual([]);
  });

  it('the OpenAPI document lists the three routes with the protocol schemas', async () => {
    const doc = (await api.call('GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/admin/settings']).sort()).toEqual(['get', 'patch']);
    expect(doc.paths['/api/settings'].get).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['SettingsResponse', 'SettingsPatch', 'PublicSettings']),
    );
  });
});
