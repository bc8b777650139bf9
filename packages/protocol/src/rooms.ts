import { z } from 'zod';
import { DisplayName, Tokens, User } from './auth.js';
import { CanonicalRoomCode, RoomCode } from './room-code.js';

export const ROOM_LIMITS = {
  nameMaxLength: 80,
  minParticipants: 2,
  // A P2P mesh costs every browser one upload per peer; 50 is a hard ceiling, not a promise.
  maxParticipants: 50,
  defaultMaxParticipants: 12,
  passwordMinLength: 6,
  passwordMaxLength: 128,
  inviteMaxMinutes: 43_200, // 30 days
  inviteMaxUses: 1000,
} as const;

export const RoomVisibility = z.enum(['public', 'private']);
export type RoomVisibility = z.infer<typeof RoomVisibility>;

/** open: any signed-in person with the code; password: the code and the password; approval: host admits. */
export const RoomEntry = z.enum(['open', 'password', 'approval']);
export type RoomEntry = z.infer<typeof RoomEntry>;

export const RoomKind = z.enum(['meeting', 'direct', 'appointment']);
export type RoomKind = z.infer<typeof RoomKind>;

export const RoomStatus = z.enum(['open', 'closed']);
export type RoomStatus = z.infer<typeof RoomStatus>;

export const ParticipantStatus = z.enum(['pending', 'approved', 'denied', 'kicked', 'left']);
export type ParticipantStatus = z.infer<typeof ParticipantStatus>;

export const ParticipantRole = z.enum(['host', 'cohost', 'participant']);
export type ParticipantRole = z.infer<typeof ParticipantRole>;

export const RoomName = z
  .string()
  .trim()
  .min(1, { message: 'Enter a room name' })
  .max(ROOM_LIMITS.nameMaxLength, {
    message: `Use at most ${ROOM_LIMITS.nameMaxLength} characters`,
  })
  // Control characters would let a name forge lines in chat, logs or notifications.
  .refine((s) => !/\p{Cc}/u.test(s), { message: 'Control characters are not allowed' });

/** Not trimmed: a password is compared byte for byte. */
export const RoomPassword = z
  .string()
  .min(ROOM_LIMITS.passwordMinLength, {
    message: `Use at least ${ROOM_LIMITS.passwordMinLength} characters`,
  })
  .max(ROOM_LIMITS.passwordMaxLength, {
    message: `Use at most ${ROOM_LIMITS.passwordMaxLength} characters`,
  });

export const MaxParticipants = z
  .int()
  .min(ROOM_LIMITS.minParticipants)
  .max(ROOM_LIMITS.maxParticipants);

const passwordNeedsPasswordEntry = {
  message: 'A password only applies to rooms with password entry',
  path: ['password'],
};

export const CreateRoomBody = z
  .object({
    name: RoomName,
    visibility: RoomVisibility,
    entry: RoomEntry,
    chatEnabled: z.boolean().optional().meta({
      description: "Left out: the server's setting `rooms.chatEnabledByDefault`",
    }),
    maxParticipants: MaxParticipants.optional().meta({
      description:
        "Left out: the server's setting `rooms.defaultMaxParticipants`; above `rooms.maxParticipantsLimit`: 400",
    }),
    password: RoomPassword.optional().meta({
      description: 'Only with entry `password`; the server generates one when it is left out',
    }),
  })
  .refine((b) => b.password === undefined || b.entry === 'password', passwordNeedsPasswordEntry)
  .meta({ id: 'CreateRoomBody' });
export type CreateRoomBody = z.infer<typeof CreateRoomBody>;

const roomSummaryShape = {
  id: z.uuid(),
  code: CanonicalRoomCode,
  name: z.string(),
  visibility: RoomVisibility,
  entry: RoomEntry,
  chatEnabled: z.boolean(),
  maxParticipants: z.int(),
  locked: z.boolean().meta({ description: 'A locked room admits nobody new' }),
  status: RoomStatus,
  hostId: z.uuid(),
  hostDisplayName: z.string(),
  createdAt: z.iso.datetime(),
  closedAt: z.iso.datetime().nullable(),
  participantCount: z.int().min(0).meta({ description: 'Approved people in the call now' }),
  /**
   * `direct`: the private two-person room of a direct call; `appointment`: an appointment's
   * room, for its provider and client inside the join window. Nobody else may enter either.
   */
  kind: RoomKind.default('meeting'),
};

/**
 * What everyone in a room may see; the same object goes to every socket of a room
 * (`room.joined`, `room.updated`). Never the password or its hash, never an email.
 */
export const RoomSummary = z.object(roomSummaryShape).meta({ id: 'RoomSummary' });
export type RoomSummary = z.infer<typeof RoomSummary>;

/** A room as one requester sees it over HTTP: the summary plus their own standing. */
export const Room = z
  .object({
    ...roomSummaryShape,
    myStatus: ParticipantStatus.nullable().meta({ description: 'null: never asked to join' }),
    myRole: ParticipantRole.nullable().meta({ description: 'null unless approved' }),
  })
  .meta({ id: 'Room' });
export type Room = z.infer<typeof Room>;

export const RoomResponse = z.object({ room: Room }).meta({ id: 'RoomResponse' });
export type RoomResponse = z.infer<typeof RoomResponse>;

export const CreateRoomResponse = z
  .object({
    room: Room,
    password: z
      .string()
      .optional()
      .meta({ description: 'Only for password rooms; shown this once, stored hashed' }),
  })
  .meta({ id: 'CreateRoomResponse' });
export type CreateRoomResponse = z.infer<typeof CreateRoomResponse>;

export const UpdateRoomBody = z
  .object({
    name: RoomName.optional(),
    chatEnabled: z.boolean().optional(),
    entry: RoomEntry.optional(),
    locked: z.boolean().optional(),
    maxParticipants: MaxParticipants.optional().meta({
      description: "Above the server's setting `rooms.maxParticipantsLimit`: 400",
    }),
    password: RoomPassword.optional().meta({
      description:
        'Sets a new password; only with entry `password` (switching to it without one generates one)',
    }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Change at least one field',
  })
  .refine(
    (b) => b.password === undefined || b.entry === undefined || b.entry === 'password',
    passwordNeedsPasswordEntry,
  )
  .meta({ id: 'UpdateRoomBody' });
export type UpdateRoomBody = z.infer<typeof UpdateRoomBody>;

export const UpdateRoomResponse = z
  .object({
    room: Room,
    password: z
      .string()
      .optional()
      .meta({ description: 'Only when this change set or generated a password; shown this once' }),
  })
  .meta({ id: 'UpdateRoomResponse' });
export type UpdateRoomResponse = z.infer<typeof UpdateRoomResponse>;

export const RoomListResponse = z.object({ rooms: z.array(Room) }).meta({ id: 'RoomListResponse' });
export type RoomListResponse = z.infer<typeof RoomListResponse>;

export const JoinRoomBody = z
  .object({ password: z.string().min(1).max(ROOM_LIMITS.passwordMaxLength).optional() })
  .meta({ id: 'JoinRoomBody' });
export type JoinRoomBody = z.infer<typeof JoinRoomBody>;

export const JoinRoomResponse = z
  .object({
    status: z.enum(['approved', 'pending']),
    isHost: z.boolean(),
    role: ParticipantRole,
    room: Room,
  })
  .meta({ id: 'JoinRoomResponse' });
export type JoinRoomResponse = z.infer<typeof JoinRoomResponse>;

/** A person's standing in a room over HTTP (answers admit, deny, kick, promote). */
export const RoomParticipant = z
  .object({
    userId: z.uuid(),
    displayName: z.string(),
    isGuest: z.boolean(),
    status: ParticipantStatus,
    role: ParticipantRole,
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'RoomParticipant' });
export type RoomParticipant = z.infer<typeof RoomParticipant>;

export const ParticipantResponse = z
  .object({ participant: RoomParticipant })
  .meta({ id: 'ParticipantResponse' });
export type ParticipantResponse = z.infer<typeof ParticipantResponse>;

// ---- path parameters ----

export const RoomIdParam = z.object({ id: z.uuid() });
export type RoomIdParam = z.infer<typeof RoomIdParam>;

/**
 * `:idOrCode` parses to a tagged value so the route never guesses: a UUID is an id,
 * anything that normalises to a room code is a code, the rest is a 400.
 */
export const IdOrCode = z.union([
  z.uuid().transform((id) => ({ kind: 'id' as const, id })),
  RoomCode.transform((code) => ({ kind: 'code' as const, code })),
]);
export type IdOrCode = z.infer<typeof IdOrCode>;

export const IdOrCodeParam = z.object({
  idOrCode: IdOrCode.meta({ description: 'Room UUID or room code' }),
});
export type IdOrCodeParam = z.infer<typeof IdOrCodeParam>;

export const ParticipantParams = z.object({ id: z.uuid(), userId: z.uuid() });
export type ParticipantParams = z.infer<typeof ParticipantParams>;

export const InviteTokenParam = z.object({ token: z.string().min(1).max(2048) });
export type InviteTokenParam = z.infer<typeof InviteTokenParam>;

// ---- invites ----

export const CreateInviteBody = z
  .object({
    expiresInMinutes: z.int().min(1).max(ROOM_LIMITS.inviteMaxMinutes),
    maxUses: z.int().min(1).max(ROOM_LIMITS.inviteMaxUses).optional(),
  })
  .meta({ id: 'CreateInviteBody' });
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;

export const InviteResponse = z
  .object({
    token: z.string().meta({ description: 'Signed, bound to one room, expiring' }),
    url: z.union([z.url(), z.string().regex(/^\/invite\/[^/?#\s]+$/)]).meta({
      description:
        "Absolute with the server's PUBLIC_URL (or a Host it trusts); otherwise the path " +
        "`/invite/<token>`, to resolve against the web app's own origin",
    }),
    expiresAt: z.iso.datetime(),
    maxUses: z.int().nullable().meta({ description: 'null: unlimited until it expires' }),
  })
  .meta({ id: 'InviteResponse' });
export type InviteResponse = z.infer<typeof InviteResponse>;

/** What an invite link shows before it is accepted. */
export const InviteSummary = z
  .object({
    room: z.object({ id: z.uuid(), code: CanonicalRoomCode, name: z.string() }),
    hostDisplayName: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'InviteSummary' });
export type InviteSummary = z.infer<typeof InviteSummary>;

export const AcceptInviteBody = z
  .object({
    displayName: DisplayName.optional().meta({
      description: 'Required when accepting without a sign-in: creates a guest with this name',
    }),
  })
  .meta({ id: 'AcceptInviteBody' });
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;

/** An invite is the host's admission: the person enters approved. */
export const AcceptInviteResponse = z
  .object({
    room: Room,
    status: z.literal('approved'),
    user: User.optional().meta({ description: 'Only when a guest account was created' }),
    tokens: Tokens.optional().meta({ description: 'Only when a guest account was created' }),
  })
  .meta({ id: 'AcceptInviteResponse' });
export type AcceptInviteResponse = z.infer<typeof AcceptInviteResponse>;
