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
    instant: z
      .boolean()
      .optional()
      .meta({
        description:
          'An ad-hoc room ("Start an instant meeting"): it closes once it has been empty for ' +
          "the server's setting `rooms.emptyRoomMinutes`. Other rooms stay until their host ends them.",
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
  /** Ad-hoc: closes when left empty (see CreateRoomBody.instant). */
  instant: z.boolean().default(false),
  /**
   * When the meeting going on now began (the first person entered the empty room's call),
   * by the server's clock; null while nobody is in the call. Every client's meeting timer
   * counts from here, so all show the same time.
   */
  meetingStartedAt: z.iso.datetime().nullable().default(null),
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

/**
 * An invite's short code: 10 characters of INVITE_CODE_ALPHABET (~58 bits), written
 * `xxxxx-xxxxx`. It is only an id: what it allows is looked up on the server each time,
 * so a revoked invite stops working at once.
 */
export const INVITE_CODE_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const INVITE_CODE_LENGTH = 10;
export const InviteCode = z
  .string()
  .regex(/^[a-km-np-zA-HJ-NP-Z2-9]{5}-[a-km-np-zA-HJ-NP-Z2-9]{5}$/, {
    message: 'Not an invite code',
  });
export type InviteCode = z.infer<typeof InviteCode>;

export const InviteCodeParam = z.object({ code: InviteCode });
export type InviteCodeParam = z.infer<typeof InviteCodeParam>;

export const InviteParams = z.object({ id: z.uuid(), code: InviteCode });
export type InviteParams = z.infer<typeof InviteParams>;

// ---- invites ----

export const CreateInviteBody = z
  .object({
    expiresInMinutes: z.int().min(1).max(ROOM_LIMITS.inviteMaxMinutes),
    maxUses: z.int().min(1).max(ROOM_LIMITS.inviteMaxUses).optional(),
    skipLobby: z
      .boolean()
      .default(false)
      .meta({
        description:
          'In a room with host approval: whoever uses this invite enters without waiting in ' +
          'the lobby. Otherwise they knock like everyone else (the invite saves the password, ' +
          'not the approval).',
      }),
  })
  .meta({ id: 'CreateInviteBody' });
export type CreateInviteBody = z.input<typeof CreateInviteBody>;

export const InviteStatus = z.enum(['active', 'expired', 'used-up', 'revoked']);
export type InviteStatus = z.infer<typeof InviteStatus>;

/** One invite of a room, as its hosts and co-hosts see it. */
export const Invite = z
  .object({
    code: InviteCode,
    url: z.union([z.url(), z.string().regex(/^\/i\/[^/?#\s]+$/)]).meta({
      description:
        "Absolute with the server's PUBLIC_URL (or a Host it trusts); otherwise the path " +
        '`/i/<code>`, to resolve against the web app’s own origin',
    }),
    roomId: z.uuid(),
    createdAt: z.iso.datetime(),
    createdBy: z.object({ id: z.uuid(), displayName: z.string() }),
    expiresAt: z.iso.datetime(),
    maxUses: z.int().nullable().meta({ description: 'null: unlimited until it expires' }),
    uses: z.int().min(0),
    skipLobby: z.boolean(),
    revokedAt: z.iso.datetime().nullable(),
    status: InviteStatus,
  })
  .meta({ id: 'Invite' });
export type Invite = z.infer<typeof Invite>;

export const InviteResponse = z.object({ invite: Invite }).meta({ id: 'InviteResponse' });
export type InviteResponse = z.infer<typeof InviteResponse>;

export const InviteListResponse = z
  .object({ invites: z.array(Invite).meta({ description: 'Newest first' }) })
  .meta({ id: 'InviteListResponse' });
export type InviteListResponse = z.infer<typeof InviteListResponse>;

/** What an invite link shows before it is accepted. */
export const InviteSummary = z
  .object({
    room: z.object({ id: z.uuid(), code: CanonicalRoomCode, name: z.string() }),
    hostDisplayName: z.string(),
    expiresAt: z.iso.datetime(),
    admission: z.enum(['direct', 'lobby']).meta({
      description: 'lobby: accepting puts the person in the lobby until a host admits them',
    }),
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

/**
 * `approved`: in (open and password rooms, a skip-the-lobby invite, or already in);
 * `pending`: in the lobby of an approval room until a host admits them.
 */
export const AcceptInviteResponse = z
  .object({
    room: Room,
    status: z.enum(['approved', 'pending']),
    user: User.optional().meta({ description: 'Only when a guest account was created' }),
    tokens: Tokens.optional().meta({ description: 'Only when a guest account was created' }),
  })
  .meta({ id: 'AcceptInviteResponse' });
export type AcceptInviteResponse = z.infer<typeof AcceptInviteResponse>;

// ---- moderation ----

/** `POST /rooms/:id/spotlight`: a host shows one connection large to everyone; null ends it. */
export const SpotlightBody = z
  .object({ connectionId: z.string().min(1).max(64).nullable() })
  .meta({ id: 'SpotlightBody' });
export type SpotlightBody = z.infer<typeof SpotlightBody>;

/** `POST /rooms/:id/mute-all`: how many people were asked to mute. */
export const MuteAllResponse = z.object({ muted: z.int().min(0) }).meta({ id: 'MuteAllResponse' });
export type MuteAllResponse = z.infer<typeof MuteAllResponse>;
