import { z } from 'zod';
import { ROOM_LIMITS } from './rooms.js';

/**
 * Live system settings (issue 13): stored in the database, edited by admins, obeyed by
 * every process without a restart. Environment variables only seed the first values.
 */
export const RegistrationMode = z.enum(['open', 'invite-only', 'closed']).meta({
  description:
    '`open`: anyone may register; `invite-only`: registering needs a valid room invite token; `closed`: only admins create accounts',
});
export type RegistrationMode = z.infer<typeof RegistrationMode>;

const minutes = (max: number) => z.int().min(0).max(max);

export const SystemSettings = z
  .strictObject({
    registration: RegistrationMode,
    /** Guests (a display name, no account), by name or by an invite link. */
    guestAccess: z.boolean(),
    rooms: z.strictObject({
      /** Size of a new room when its creator does not choose one. */
      defaultMaxParticipants: z
        .int()
        .min(ROOM_LIMITS.minParticipants)
        .max(ROOM_LIMITS.maxParticipants),
      /** The largest size anyone may choose (never above the mesh's hard ceiling). */
      maxParticipantsLimit: z
        .int()
        .min(ROOM_LIMITS.minParticipants)
        .max(ROOM_LIMITS.maxParticipants),
      /**
       * An instant meeting (CreateRoomBody.instant) nobody has been in for this long is
       * closed. Other rooms stay until their host or a co-host ends them.
       */
      emptyRoomMinutes: z
        .int()
        .min(1)
        .max(30 * 24 * 60),
      chatEnabledByDefault: z.boolean(),
    }),
    calls: z.strictObject({ ringTimeoutSeconds: z.int().min(5).max(300) }),
    appointments: z.strictObject({
      joinOpensMinutes: minutes(24 * 60),
      joinClosesMinutes: z
        .int()
        .min(5)
        .max(24 * 60),
      adminsMayJoin: z.boolean(),
    }),
    quotas: z.strictObject({
      /** Open (not ended) meeting rooms one member may host at once. */
      openRoomsPerUser: z.int().min(1).max(100_000),
      /** Meeting rooms one member may create per hour (a fixed window per member). */
      roomsCreatedPerHour: z.int().min(1).max(100_000),
      /** Guest accounts one IP address may create per hour. */
      guestsPerIpPerHour: z.int().min(1).max(100_000),
    }),
    audit: z.strictObject({ retentionDays: z.int().min(1).max(3650) }),
  })
  .refine((s) => s.rooms.defaultMaxParticipants <= s.rooms.maxParticipantsLimit, {
    message: 'rooms.defaultMaxParticipants must not exceed rooms.maxParticipantsLimit',
    path: ['rooms', 'defaultMaxParticipants'],
  })
  .meta({ id: 'SystemSettings' });
export type SystemSettings = z.infer<typeof SystemSettings>;

/**
 * `PATCH /api/admin/settings`: any subset, section by section; unknown keys are a 400.
 * The merged result must still be valid `SystemSettings`.
 */
export const SettingsPatch = z
  .strictObject({
    registration: RegistrationMode.optional(),
    guestAccess: z.boolean().optional(),
    rooms: SystemSettings.shape.rooms.partial().optional(),
    calls: SystemSettings.shape.calls.partial().optional(),
    appointments: SystemSettings.shape.appointments.partial().optional(),
    quotas: SystemSettings.shape.quotas.partial().optional(),
    audit: SystemSettings.shape.audit.partial().optional(),
  })
  .meta({ id: 'SettingsPatch' });
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const SettingsResponse = z
  .object({
    settings: SystemSettings,
    /** null until an admin first changes anything (the values come from the environment). */
    updatedAt: z.iso.datetime().nullable(),
    updatedBy: z.uuid().nullable(),
  })
  .meta({ id: 'SettingsResponse' });
export type SettingsResponse = z.infer<typeof SettingsResponse>;

/** What any visitor may know before signing in: which doors are open. */
export const PublicSettings = z
  .object({ registration: RegistrationMode, guestAccess: z.boolean() })
  .meta({ id: 'PublicSettings' });
export type PublicSettings = z.infer<typeof PublicSettings>;
