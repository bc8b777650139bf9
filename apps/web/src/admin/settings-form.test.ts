import type { SettingsPatch, SettingsResponse } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import en from '../locales/en.json';
import ru from '../locales/ru.json';
import { ACCESS_SECTION, SettingsForm, settingsSections } from './settings-form';
import { makeSettings } from './testing/fixtures';

function setup(answer?: (patch: SettingsPatch) => Promise<SettingsResponse>) {
  const sent: SettingsPatch[] = [];
  let current = makeSettings();
  const form = new SettingsForm({
    get: () => Promise.resolve(current),
    update: (patch) => {
      sent.push(patch);
      if (answer) return answer(patch);
      const s = current.settings;
      current = {
        settings: {
          ...s,
          ...(patch.registration ? { registration: patch.registration } : {}),
          ...(patch.guestAccess !== undefined ? { guestAccess: patch.guestAccess } : {}),
          rooms: { ...s.rooms, ...patch.rooms },
        },
        updatedAt: '2026-02-02T00:00:00.000Z',
        updatedBy: '00000000-0000-4000-8000-000000000001',
      };
      return Promise.resolve(current);
    },
  });
  return { form, sent };
}

describe('settingsSections', () => {
  it('puts registration and guests in one section and every object setting in its own, from the schema', () => {
    const sections = settingsSections();
    expect(sections.map((s) => s.key)).toEqual([
      ACCESS_SECTION,
      'rooms',
      'calls',
      'appointments',
      'quotas',
      'audit',
    ]);
    expect(sections[0]!.fields).toEqual([
      {
        path: 'registration',
        section: ACCESS_SECTION,
        key: 'registration',
        kind: 'select',
        options: ['open', 'invite-only', 'closed'],
      },
      { path: 'guestAccess', section: ACCESS_SECTION, key: 'guestAccess', kind: 'bool' },
    ]);
    const ring = sections.find((s) => s.key === 'calls')!.fields[0];
    expect(ring).toEqual({
      path: 'calls.ringTimeoutSeconds',
      section: 'calls',
      key: 'ringTimeoutSeconds',
      kind: 'int',
      min: 5,
      max: 300,
    });
  });

  it('every setting and section has a label in every language', () => {
    for (const messages of [en, ru]) {
      const settings = (
        messages as {
          admin: {
            settings: { fields: Record<string, unknown>; sections: Record<string, unknown> };
          };
        }
      ).admin.settings;
      for (const section of settingsSections()) {
        expect(settings.sections[section.key], section.key).toEqual(expect.any(String));
        for (const f of section.fields) {
          const node =
            f.section === ACCESS_SECTION
              ? settings.fields[f.key]
              : (settings.fields[f.section] as Record<string, unknown> | undefined)?.[f.key];
          expect(node, f.path).toEqual(expect.any(String));
        }
      }
    }
  });
});

describe('SettingsForm', () => {
  it('shows the saved values, numbers as text', async () => {
    const { form } = setup();
    await form.load();
    expect(form.state.status).toBe('ready');
    expect(form.state.draft).toMatchObject({
      registration: 'open',
      guestAccess: true,
      'rooms.defaultMaxParticipants': '10',
      'audit.retentionDays': '90',
    });
  });

  it("saves a section's changed fields only, as a patch of that section", async () => {
    const { form, sent } = setup();
    await form.load();
    form.set('rooms.defaultMaxParticipants', '12');
    form.set('rooms.chatEnabledByDefault', true); // unchanged: not sent
    form.set('registration', 'closed'); // another section: not sent with rooms
    expect(form.changed('rooms').map((f) => f.key)).toEqual(['defaultMaxParticipants']);
    await form.save('rooms');
    expect(sent).toEqual([{ rooms: { defaultMaxParticipants: 12 } }]);
    expect(form.state.savedSection).toBe('rooms');
    expect(form.changed('rooms')).toEqual([]);
    // The other section keeps its edit, unsaved.
    expect(form.state.draft.registration).toBe('closed');
    await form.save(ACCESS_SECTION);
    expect(sent[1]).toEqual({ registration: 'closed' });
  });

  it('sends nothing without a change, or when a number is not a whole number', async () => {
    const { form, sent } = setup();
    await form.load();
    await form.save('rooms');
    form.set('rooms.emptyRoomMinutes', '1.5');
    form.set('rooms.maxParticipantsLimit', '');
    await form.save('rooms');
    expect(sent).toEqual([]);
    expect(form.state.invalid).toEqual({
      'rooms.emptyRoomMinutes': 'integer',
      'rooms.maxParticipantsLimit': 'integer',
    });
    form.set('rooms.emptyRoomMinutes', '90');
    expect(form.state.invalid).toEqual({ 'rooms.maxParticipantsLimit': 'integer' });
  });

  it("marks the fields the server refused (400 details.fields) and keeps the admin's values", async () => {
    const refusal = new ApiError(400, 'VALIDATION_FAILED', 'Some fields are invalid.', {
      'rooms.defaultMaxParticipants': ['must not exceed rooms.maxParticipantsLimit'],
      'quotas.openRoomsPerUser': ['elsewhere'],
    });
    const { form } = setup(() => Promise.reject(refusal));
    await form.load();
    form.set('rooms.defaultMaxParticipants', '60');
    await form.save('rooms');
    expect(form.state.failure).toEqual({ section: 'rooms', error: refusal });
    expect(form.state.invalid).toEqual({ 'rooms.defaultMaxParticipants': 'server' });
    expect(form.state.draft['rooms.defaultMaxParticipants']).toBe('60');

    form.reset('rooms');
    expect(form.state.draft['rooms.defaultMaxParticipants']).toBe('10');
    expect(form.state.invalid).toEqual({});
    expect(form.state.failure).toBeNull();
  });
});
