import { randomUUID } from 'node:crypto';
import { ROOM_LIMITS } from '@parley/protocol';
import type { JoinBlockReason, JoinRoomResponse, Room, User } from '@parley/protocol';
import { clientKey } from '../../platform/client-key.js';
import type { Db } from '../../platform/db/database.js';
import type { RoomParticipantsTable, RoomsTable } from '../../platform/db/schema.js';
import { Errors } from '../../platform/errors.js';
import type { AttemptLimiter } from '../../platform/live/index.js';
import { RoomErrors } from './errors.js';
import type { RoomsRepo, Trx } from './repo.js';
import type { RequestContext } from '../../platform/request-context.js';

// Personal rooms: the private rooms of direct calls (kind `direct`) and of appointments
// (kind `appointment`). Made with their two parties seated, by the module that owns the
// call; only those parties (and, for an appointment, an admin the practice lets in) can
// find or enter them; no lobby, no password, no moderation, no invites.

/** Rooms of direct calls and appointments: only their parties, no lobby, no moderation. */
export const isPersonal = (room: Pick<RoomsTable, 'kind'>): boolean => room.kind !== 'meeting';

/** A personal room to create: its kind, its parties (the first is the nominal host). */
export type PersonalRoomRequest = {
  kind: Exclude<RoomsTable['kind'], 'meeting'>;
  partyIds: [string, string];
  name: string;
  at: string;
  /** Seats beyond the two parties (an admin allowed into an appointment). */
  maxParticipants: number;
};

/** Where a personal room stands, for the reapers of the modules that own them. */
export type PersonalRoomOccupancy = {
  roomId: string;
  status: 'open' | 'closed';
  /** Since when nobody has been connected (null while someone is, and once closed). */
  emptySince: string | null;
  closedAt: string | null;
};

/**
 * Creates a personal room in `trx` with both parties seated (approved, neither a host,
 * so nobody can moderate it), locked. A code collision throws a unique violation: the
 * caller retries its whole transaction.
 */
export async function openPersonalRoom(
  trx: Trx,
  repo: RoomsRepo,
  newCode: () => string,
  req: PersonalRoomRequest,
): Promise<{ id: string; code: string }> {
  const [first, second] = req.partyIds;
  const row: RoomsTable = {
    id: randomUUID(),
    code: newCode(),
    name: req.name.slice(0, ROOM_LIMITS.nameMaxLength),
    // A host id is required; rights come from the role, and both are participants.
    host_id: first,
    visibility: 'private',
    // Approval, so a join path that forgot the personal check would still seat nobody.
    entry: 'approval',
    password_hash: null,
    chat_enabled: 1,
    max_participants: req.maxParticipants,
    locked: 1,
    status: 'open',
    created_at: req.at,
    closed_at: null,
    close_reason: null,
    // A room nobody enters counts as empty from its creation.
    empty_since: req.at,
    kind: req.kind,
    // Its owner (calls, appointments) ends it; the empty-room cleanup applies to direct
    // calls' rooms by kind, not by this flag.
    instant: 0,
    meeting_started_at: null,
  };
  await repo.insertRoom(trx, row);
  for (const userId of req.partyIds) {
    await repo.upsertParticipant(trx, {
      room_id: row.id,
      user_id: userId,
      role: 'participant',
      status: 'approved',
      requested_at: req.at,
      updated_at: req.at,
      decided_by: first,
      invite_id: null,
    });
  }
  await repo.activity(trx, {
    roomId: row.id,
    kind: 'created',
    userId: first,
    actorId: second,
    at: req.at,
    details: { kind: req.kind },
  });
  return { id: row.id, code: row.code };
}

/**
 * Whether `user` may be in an appointment's room now: null yes, else why not (the
 * appointments module decides; app.ts wires it). `NOT_A_PARTICIPANT` looks like no room.
 */
export type AppointmentRoomAccess = (
  roomId: string,
  user: User,
  /** `look`: the room's view; `enter`: a join (over HTTP or the socket). */
  intent: 'look' | 'enter',
) => Promise<JoinBlockReason | null>;

export type PersonalRoomsDeps = {
  db: Db;
  repo: RoomsRepo;
  newCode: () => string;
  /** Misses count against the caller's IP, as for a code that does not exist. */
  lookupLimiter: AttemptLimiter;
  appointmentAccess: AppointmentRoomAccess | undefined;
  /** The rooms service's seat-taking (capacity and the seat under the room lock). */
  seat(req: {
    roomId: string;
    userId: string;
    decidedBy: null;
    from: ['left'] | 'new';
  }): Promise<boolean>;
  roomFor(room: RoomsTable, userId: string): Promise<Room>;
  close: (
    roomId: string,
    reason: 'ended' | 'expired',
    actorId: string | null,
    origin: RequestContext,
  ) => Promise<boolean>;
};

export function createPersonalRooms(deps: PersonalRoomsDeps) {
  const { db, repo } = deps;

  /** The answer for a code that does not exist; from HTTP (`ip`), the miss counts. */
  async function unseen(ip: string | undefined): Promise<never> {
    if (ip !== undefined) await deps.lookupLimiter.fail(clientKey(ip));
    throw RoomErrors.notFound();
  }

  /**
   * Whether `user` may be in the personal room: a direct call's parties (their seat row)
   * always; an appointment's whom the appointments module lets in now. Strangers get the
   * answer for no room; an appointment's parties outside the window a 403 with the
   * reason, unless `visibleOnly` (looking, not entering). Answers the user's seat row.
   */
  async function requireParty(
    room: RoomsTable,
    user: User,
    ip: string | undefined,
    opts: { visibleOnly?: boolean } = {},
  ): Promise<RoomParticipantsTable | undefined> {
    await requireAppointmentAccess(room, user, ip, opts);
    const me = await repo.findParticipant(db, room.id, user.id);
    if (room.kind === 'direct' && !me) return unseen(ip);
    return me;
  }

  /**
   * An appointment's room: whether the appointments module lets `user` in now (strangers
   * get the answer for no room; parties outside the window a 403, unless `visibleOnly`).
   * Other rooms: nothing to check here.
   */
  async function requireAppointmentAccess(
    room: RoomsTable,
    user: User,
    ip: string | undefined,
    opts: { visibleOnly?: boolean } = {},
  ): Promise<void> {
    if (room.kind !== 'appointment') return;
    const reason = deps.appointmentAccess
      ? await deps.appointmentAccess(room.id, user, opts.visibleOnly ? 'look' : 'enter')
      : 'NOT_A_PARTICIPANT';
    if (reason === 'NOT_A_PARTICIPANT') return unseen(ip);
    if (reason !== null && !opts.visibleOnly) throw Errors.notJoinable(reason);
  }

  /**
   * Entering over HTTP: a party coming back (their seat released after a dropped
   * connection, or they left) is seated again from `left`, lock or not; someone the
   * check lets in with no seat yet (an admin the practice allows into an appointment)
   * takes a new one; anything else is the 404 of no room.
   */
  async function join(room: RoomsTable, user: User, ip: string): Promise<JoinRoomResponse> {
    const me = await requireParty(room, user, ip);
    if (room.status === 'closed') throw RoomErrors.closed();
    if (!me || me.status === 'left') {
      await deps.seat({
        roomId: room.id,
        userId: user.id,
        decidedBy: null,
        from: me ? ['left'] : 'new',
      });
    } else if (me.status !== 'approved') {
      throw RoomErrors.notFound();
    }
    const seated = await repo.findParticipant(db, room.id, user.id);
    return {
      status: 'approved',
      role: seated?.role ?? 'participant',
      isHost: false,
      room: await deps.roomFor((await repo.findRoom(db, room.id)) ?? room, user.id),
    };
  }

  async function occupancy(roomIds: string[]): Promise<PersonalRoomOccupancy[]> {
    return (await repo.occupancy(db, roomIds)).map((r) => ({
      roomId: r.id,
      status: r.status,
      emptySince: r.empty_since,
      closedAt: r.closed_at,
    }));
  }

  /** Appointments' rooms, for the appointments module (its `AppointmentRooms`, app.ts). */
  const appointment = {
    /** Opens the appointment's room in `trx`, both parties seated. */
    open: (
      trx: Trx,
      req: {
        providerId: string;
        clientId: string;
        name: string;
        at: string;
        maxParticipants: number;
      },
    ) =>
      openPersonalRoom(trx, repo, deps.newCode, {
        kind: 'appointment',
        partyIds: [req.providerId, req.clientId],
        name: req.name,
        at: req.at,
        maxParticipants: req.maxParticipants,
      }),
    close: deps.close,
    occupancy,
  };

  return { requireParty, requireAppointmentAccess, join, occupancy, appointment };
}
export type PersonalRooms = ReturnType<typeof createPersonalRooms>;
