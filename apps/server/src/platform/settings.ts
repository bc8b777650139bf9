import { ROOM_LIMITS } from '@parley/protocol';
import type { SystemSettings } from '@parley/protocol';
import type { Config } from './config.js';

/**
 * The live system settings as services read them: synchronous, always the latest this
 * process has (modules/settings keeps it fresh from the database and the bus).
 */
export interface SettingsReader {
  get(): SystemSettings;
}

/** What the environment says, used until an admin changes something (and by unit tests). */
export function settingsFromConfig(config: Config): SystemSettings {
  return {
    registration: config.registration,
    guestAccess: config.guestAccess,
    rooms: {
      defaultMaxParticipants: ROOM_LIMITS.defaultMaxParticipants,
      maxParticipantsLimit: ROOM_LIMITS.maxParticipants,
      // Clamped into the settings' range, so an odd env value never makes them invalid.
      emptyRoomMinutes: Math.min(
        30 * 24 * 60,
        Math.max(1, Math.round(config.rooms.emptyTimeoutMs / 60_000)),
      ),
      chatEnabledByDefault: true,
    },
    calls: { ringTimeoutSeconds: Math.round(config.calls.ringTimeoutMs / 1000) },
    appointments: {
      joinOpensMinutes: Math.round(config.appointments.opensBeforeMs / 60_000),
      joinClosesMinutes: Math.round(config.appointments.closesAfterMs / 60_000),
      adminsMayJoin: config.appointments.adminsMayJoin,
    },
    quotas: { ...config.quotas },
    audit: { retentionDays: 180 },
  };
}

export const fixedSettings = (settings: SystemSettings): SettingsReader => ({
  get: () => settings,
});
