import { z } from 'zod';
import { DisplayName, Email, Password, Role, User } from './auth.js';
import { CallEndReason, CallMedia, CallParty, CallState } from './calls.js';
import { CanonicalRoomCode } from './room-code.js';
import {
  ParticipantRole,
  ParticipantStatus,
  RoomEntry,
  RoomKind,
  RoomStatus,
  RoomVisibility,
} from './rooms.js';
import { RosterEntry } from './ws.js';

/** `:id` of an account in the admin routes. */
export const AdminUserIdParam = z.object({ id: z.uuid() });
export type AdminUserIdParam = z.infer<typeof AdminUserIdParam>;

/**
 * `PATCH /api/admin/users/:id`: change an account's role or switch it off. Strict: an
 * unknown field (a typo such as `disable`) is a 400, never a silent no-op.
 */
export const AdminUpdateUserBody = z
  .strictObject({
    role: Role.optional(),
    disabled: z.boolean().optional().meta({
      description:
        'true signs the account out everywhere and refuses its sign-ins; false lets it sign in again',
    }),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, {
    message: 'Change at least one field',
  })
  .meta({ id: 'AdminUpdateUserBody' });
export type AdminUpdateUserBody = z.infer<typeof AdminUpdateUserBody>;

/**
 * `POST /api/admin/users`: an account made by an admin, whatever the registration mode
 * (closed registration tells visitors to ask an administrator). The same rules as signing
 * up; the admin hands the password over and the person signs in with it.
 */
export const AdminCreateUserBody = z
  .strictObject({
    email: Email,
    displayName: DisplayName,
    role: Role.default('member'),
    password: Password,
  })
  .meta({ id: 'AdminCreateUserBody' });
export type AdminCreateUserBody = z.infer<typeof AdminCreateUserBody>;

/** A user as admins see it: the public fields and whether the account is disabled. */
export const AdminUser = User.extend({ disabled: z.boolean() }).meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof AdminUser>;

// ---- admin lists (issue 13): users, rooms, direct calls. Newest first, keyset paging:
// `nextCursor` of one page is the `cursor` of the next; null on the last page.

export const ADMIN_LIST_LIMITS = { defaultPageSize: 50, maxPageSize: 100 } as const;

const pageQuery = {
  /** `nextCursor` of the previous page; opaque. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(ADMIN_LIST_LIMITS.maxPageSize)
    .default(ADMIN_LIST_LIMITS.defaultPageSize),
};
const nextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` for the next (older) page; null on the last page' });

export const AdminUserStatus = z.enum(['active', 'disabled', 'all']);
export type AdminUserStatus = z.infer<typeof AdminUserStatus>;

/** Guests are accounts too (one per visit): left out unless asked for. */
export const AdminGuestFilter = z.enum(['exclude', 'include', 'only']);
export type AdminGuestFilter = z.infer<typeof AdminGuestFilter>;

// No registry ids on query schemas: @fastify/swagger cannot expand a querystring `$ref`.
/** `GET /api/admin/users`. Strict: an unknown parameter is a 400, not a silently wider list. */
export const AdminUsersQuery = z.strictObject({
  /** Start of a display name (any case) or of an email address. */
  q: z.string().trim().max(100).optional(),
  role: Role.optional(),
  status: AdminUserStatus.default('all'),
  guests: AdminGuestFilter.default('exclude'),
  ...pageQuery,
});
export type AdminUsersQuery = z.infer<typeof AdminUsersQuery>;

export const AdminUserListItem = AdminUser.extend({
  disabledAt: z.iso.datetime().nullable(),
  online: z.boolean().meta({ description: 'Has an open socket now (any process)' }),
}).meta({ id: 'AdminUserListItem' });
export type AdminUserListItem = z.infer<typeof AdminUserListItem>;

export const AdminUsersPage = z
  .object({ users: z.array(AdminUserListItem), nextCursor })
  .meta({ id: 'AdminUsersPage' });
export type AdminUsersPage = z.infer<typeof AdminUsersPage>;

/** `active`: open and someone is in its call now; `open`: not ended; `closed`: ended. */
export const AdminRoomStatus = z.enum(['active', 'open', 'closed']);
export type AdminRoomStatus = z.infer<typeof AdminRoomStatus>;

export const AdminRoomsQuery = z.strictObject({
  status: AdminRoomStatus.default('active'),
  kind: RoomKind.optional(),
  ...pageQuery,
});
export type AdminRoomsQuery = z.infer<typeof AdminRoomsQuery>;

export const AdminRoomIdParam = z.object({ id: z.uuid() });
export type AdminRoomIdParam = z.infer<typeof AdminRoomIdParam>;

/** A room as admins see it: never its password or hash. */
export const AdminRoom = z
  .object({
    id: z.uuid(),
    code: CanonicalRoomCode,
    name: z.string(),
    kind: RoomKind,
    visibility: RoomVisibility,
    entry: RoomEntry,
    status: RoomStatus,
    locked: z.boolean(),
    maxParticipants: z.int(),
    host: z.object({ id: z.uuid(), displayName: z.string() }),
    createdAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
    closeReason: z.enum(['ended', 'expired']).nullable(),
    participantCount: z.int().min(0).meta({ description: 'People in its call now' }),
  })
  .meta({ id: 'AdminRoom' });
export type AdminRoom = z.infer<typeof AdminRoom>;

export const AdminRoomsPage = z
  .object({ rooms: z.array(AdminRoom), nextCursor })
  .meta({ id: 'AdminRoomsPage' });
export type AdminRoomsPage = z.infer<typeof AdminRoomsPage>;

/** Someone's standing in a room (the database's record), with their open connections now. */
export const AdminRoomSeat = z
  .object({
    userId: z.uuid(),
    displayName: z.string(),
    isGuest: z.boolean(),
    role: ParticipantRole,
    status: ParticipantStatus,
    updatedAt: z.iso.datetime(),
    connections: z.int().min(0),
  })
  .meta({ id: 'AdminRoomSeat' });
export type AdminRoomSeat = z.infer<typeof AdminRoomSeat>;

export const AdminRoomDetail = z
  .object({
    room: AdminRoom,
    /** Connections in the call now, one per tab (the live roster). */
    connected: z.array(RosterEntry),
    seats: z.array(AdminRoomSeat),
  })
  .meta({ id: 'AdminRoomDetail' });
export type AdminRoomDetail = z.infer<typeof AdminRoomDetail>;

export const AdminRoomResponse = z.object({ room: AdminRoom }).meta({ id: 'AdminRoomResponse' });
export type AdminRoomResponse = z.infer<typeof AdminRoomResponse>;

export const AdminCallsQuery = z.strictObject({ status: CallState.optional(), ...pageQuery });
export type AdminCallsQuery = z.infer<typeof AdminCallsQuery>;

/** A direct call as admins see it: both parties, never the negotiation itself. */
export const AdminCall = z
  .object({
    id: z.uuid(),
    caller: CallParty,
    callee: CallParty,
    media: CallMedia,
    state: CallState,
    createdAt: z.iso.datetime(),
    answeredAt: z.iso.datetime().nullable(),
    connectedAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
    /** Server-measured, as in `Call`. */
    durationSeconds: z.int().min(0).nullable(),
    endReason: CallEndReason.nullable(),
  })
  .meta({ id: 'AdminCall' });
export type AdminCall = z.infer<typeof AdminCall>;

export const AdminCallsPage = z
  .object({ calls: z.array(AdminCall), nextCursor })
  .meta({ id: 'AdminCallsPage' });
export type AdminCallsPage = z.infer<typeof AdminCallsPage>;
