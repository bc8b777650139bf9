import { randomInt, randomUUID } from 'node:crypto';
import type {
  CreateRoomBody,
  CreateRoomResponse,
  JoinRoomResponse,
  LobbyEntry,
  ParticipantRole,
  Room,
  RoomParticipant,
  RoomSummary,
  ServerMessage,
  ServerMessageOf,
  UpdateRoomBody,
  UpdateRoomResponse,
  User,
} from '@parley/protocol';
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH, formatRoomCode } from '@parley/protocol';
import { clientKey } from '../../platform/client-key.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { fromBool, isUniqueViolation, toBool } from '../../platform/db/database.js';
import type { RoomParticipantsTable, RoomsTable } from '../../platform/db/schema.js';
import type { AppError } from '../../platform/errors.js';
import { Errors } from '../../platform/errors.js';
import type { AttemptLimiter, Bus, LiveStore, Locks, Roster } from '../../platform/live/index.js';
import { SYSTEM_CONTEXT } from '../../platform/request-context.js';
import type { RequestContext } from '../../platform/request-context.js';
import { hashPassword, verifyPassword } from '../../platform/auth/password.js';
import type { RoomGate } from '../signaling/index.js';
import { createDirectRooms } from './direct.js';
import { createPersonalRooms, isPersonal } from './personal.js';
import type { AppointmentRoomAccess } from './personal.js';
import { RoomErrors } from './errors.js';
import { createModeration } from './moderation.js';
import type { Spotlight } from './moderation.js';
import type { RoomsRepo, Trx } from './repo.js';
import { toParticipant, toRoom, toSummary } from './views.js';
import { createRoomQuotas, requireSizeWithin, roomSettings } from './room-settings.js';
import type { AuditLog } from '../../platform/audit.js';
import { noAudit } from '../../platform/audit.js';
import type { SettingsReader } from '../../platform/settings.js';

export type RoomsServiceDeps = {
  /** Rooms created and closed; admitted, denied, kicked. */
  audit?: AuditLog;
  /** Room sizes, chat default, empty-room lifetime, room quotas (live settings). */
  settings?: SettingsReader;
  db: Db;
  repo: RoomsRepo;
  /** Messages to clients, and `room.closed` for the modules that react to it. */
  bus: Pick<Bus, 'toRoom' | 'toUser' | 'emit'>;
  /** Who is in the call right now: head counts, and roles on open connections. */
  roster: Pick<Roster, 'countUsers' | 'setRoleForUser' | 'list' | 'get' | 'update'>;
  /** The room's live lock, shared with signaling's joins and departures (moderation.ts). */
  locks: Pick<Locks, 'run'>;
  /** Each room's spotlight (`live.store('spotlight')`). */
  spotlights: LiveStore<Spotlight>;
  clock: Clock;
  scryptCost: number;
  /** Wrong room passwords per room+user, and (more generously, NAT) per room+IP. */
  passwordLimiter: { perUser: AttemptLimiter; perIp: AttemptLimiter };
  /** Lookups of codes that do not exist, per IP: stops code enumeration. */
  lookupLimiter: AttemptLimiter;
  /** Rooms created per user per hour (the quota's count; its limit is a live setting). */
  createdLimiter?: AttemptLimiter;
  /** Without live settings: how long an empty room stays open. */
  emptyTimeoutMs: number;
  /** Who may be in an appointment's room now (see personal.ts). */
  appointmentAccess?: AppointmentRoomAccess;
};

export type { AppointmentRoomAccess } from './personal.js';

export type RoomRef = { kind: 'id'; id: string } | { kind: 'code'; code: string };

/** One person taking a seat; see `seat`. */
export type SeatRequest = {
  roomId: string;
  userId: string;
  /** Who let them in (a host, an invite's author); null when they entered on their own. */
  decidedBy: string | null;
  /**
   * The status their row must still have ('new': no row yet). A row that changed
   * meanwhile (another decision won) takes no seat.
   */
  from: Exclude<RoomParticipantsTable['status'], 'approved'>[] | 'new';
  /** Recorded with the activity row (e.g. the invite used). */
  details?: Record<string, unknown>;
  /** A guest's network, recorded on their row (see `guestArrival`); absent: left as it is. */
  clientKey?: string | null;
};

/** One person asking to enter an approval room; see `knock`. */
export type KnockRequest = {
  roomId: string;
  user: Pick<User, 'id' | 'displayName' | 'isGuest'>;
  /** The invite they came with (revoking it turns them away); null: they knocked on their own. */
  inviteId: string | null;
  /** As SeatRequest.from: the status their row must still have ('new': no row yet). */
  from: Exclude<RoomParticipantsTable['status'], 'approved' | 'pending'>[] | 'new';
  /** As SeatRequest.clientKey. */
  clientKey?: string | null;
};

/** Who is arriving, as `guestArrival` sees them. */
export type Arrival = {
  /** A guest's network key, to record on their row; null for members. */
  clientKey: string | null;
  /** They knock whatever the room's entry or the invite says (a kicked guest's network). */
  mustKnock: boolean;
};

/** Generated room passwords: 10 characters from the unambiguous alphabet plus digits (~49 bits). */
const PASSWORD_ALPHABET = ROOM_CODE_ALPHABET + '23456789';
const randomString = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

export function createRoomsService(deps: RoomsServiceDeps) {
  const { db, repo, bus, roster, clock } = deps;
  const audit = deps.audit ?? noAudit;
  const now = () => clock.now().toISOString();

  /** A lobby decision or a removal, after it is stored: done to `targetId`, in the room. */
  function auditDecision(
    type: 'room.admitted' | 'room.denied' | 'room.kicked',
    roomId: string,
    targetId: string,
    actor: User,
    origin: RequestContext,
  ): Promise<void> {
    return audit.record({
      type,
      actorId: actor.id,
      origin,
      targetType: 'user',
      targetId,
      details: { roomId },
    });
  }

  async function summary(r: RoomsTable): Promise<RoomSummary> {
    return toSummary(r, await repo.hostName(db, r.host_id), await roster.countUsers(r.id));
  }
  async function roomFor(r: RoomsTable, userId: string): Promise<Room> {
    return toRoom(await summary(r), await repo.findParticipant(db, r.id, userId));
  }

  /** Resolves an id or code; misses count against the caller's IP (enumeration guard). */
  async function resolve(ref: RoomRef, ip: string): Promise<RoomsTable> {
    const caller = clientKey(ip);
    const wait = await deps.lookupLimiter.blockedFor(caller);
    if (wait > 0) throw Errors.tooManyAttempts(wait);
    const r =
      ref.kind === 'id' ? await repo.findRoom(db, ref.id) : await repo.findRoomByCode(db, ref.code);
    if (!r) {
      await deps.lookupLimiter.fail(caller);
      throw RoomErrors.notFound();
    }
    return r;
  }

  /**
   * The room, if `actorId` is its host or an approved co-host (`hostOnly`: the host).
   * Someone with no standing in the room gets the same 404 as for no room.
   */
  async function requireModerator(
    roomId: string,
    actorId: string,
    hostOnly = false,
  ): Promise<RoomsTable> {
    const room = await repo.findRoom(db, roomId);
    if (!room) throw RoomErrors.notFound();
    const me = await repo.findParticipant(db, roomId, actorId);
    // Nobody moderates a direct call or an appointment, their parties included: a call
    // ends through /api/calls, an appointment with its window.
    if (isPersonal(room)) throw me ? RoomErrors.notHost() : RoomErrors.notFound();
    const isHost = room.host_id === actorId;
    const isCohost = me?.role === 'cohost' && me.status === 'approved';
    if (!isHost && !(isCohost && !hostOnly)) {
      // Someone with no standing in the room learns nothing about it.
      if (!me) throw RoomErrors.notFound();
      throw RoomErrors.notHost();
    }
    return room;
  }

  async function lobbyEntries(roomId: string): Promise<LobbyEntry[]> {
    return (await repo.pending(db, roomId)).map((p) => ({
      user: { id: p.user_id, displayName: p.display_name, isGuest: toBool(p.is_guest) },
      requestedAt: p.requested_at,
    }));
  }

  // Mute, mute-all, lower-hand, the spotlight and the handover (moderation.ts).
  const moderation = createModeration({
    db,
    repo,
    bus,
    roster,
    locks: deps.locks,
    spotlights: deps.spotlights,
    clock,
    audit,
    requireModerator: (roomId, actorId) => requireModerator(roomId, actorId),
    lobby: lobbyEntries,
  });

  async function toModerators(roomId: string, message: ServerMessage): Promise<void> {
    for (const id of await repo.moderators(db, roomId)) await bus.toUser(id, message);
  }

  /**
   * Gives up a seat: only `approved` becomes `left`, so a late release (a grace timer,
   * a second tab) can never overwrite a kick or a deny that happened meanwhile.
   */
  async function releaseSeat(roomId: string, userId: string, details?: { reason: string }) {
    const at = now();
    if (
      await repo.transition(db, roomId, userId, ['approved'], { status: 'left', updated_at: at })
    ) {
      await repo.activity(db, {
        roomId,
        kind: 'left',
        userId,
        at,
        ...(details ? { details } : {}),
      });
    }
  }

  function newCode(): string {
    return formatRoomCode(randomString(ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH));
  }

  async function passwordOrGenerated(given: string | undefined) {
    const password = given ?? randomString(PASSWORD_ALPHABET, 10);
    return { password, hash: await hashPassword(password, deps.scryptCost) };
  }

  /**
   * Takes a seat under a lock on the room row, so concurrent joins, admissions and
   * invites see each other: capacity is checked and the seat written in one
   * transaction — `trx` when the caller has more to do in it (an invite consumes a
   * use), else one of its own. A role is kept (a co-host coming back stays one).
   * False when the row no longer has a status in `req.from`.
   */
  async function seat(req: SeatRequest, trx?: Trx): Promise<boolean> {
    if (!trx) return db.transaction().execute((t) => seat(req, t));
    const { roomId, userId, decidedBy } = req;
    const room = await repo.findRoom(trx, roomId, { lock: true });
    if (!room) throw RoomErrors.notFound();
    if (room.status === 'closed') throw RoomErrors.closed();
    if ((await repo.countApproved(trx, roomId)) >= room.max_participants) throw RoomErrors.full();
    const at = now();
    if (req.from === 'new') {
      await repo.upsertParticipant(trx, {
        room_id: roomId,
        user_id: userId,
        role: 'participant',
        status: 'approved',
        requested_at: at,
        updated_at: at,
        decided_by: decidedBy,
        invite_id: null,
        client_key: req.clientKey ?? null,
      });
    } else if (
      !(await repo.transition(trx, roomId, userId, req.from, {
        status: 'approved',
        decided_by: decidedBy,
        updated_at: at,
        ...(req.clientKey !== undefined ? { client_key: req.clientKey } : {}),
      }))
    ) {
      return false;
    }
    await repo.activity(trx, {
      roomId,
      kind: decidedBy && decidedBy !== userId ? 'admitted' : 'joined',
      userId,
      actorId: decidedBy,
      at,
      ...(req.details ? { details: req.details } : {}),
    });
    return true;
  }

  /**
   * Puts someone in the lobby: the pending row (with the invite they came with) and its
   * activity, in `trx` when the caller has more to do in it (an invite consumes a use),
   * else in one of its own. Returns when they knocked, for `announceKnock` to tell the
   * moderators once committed; false when the row no longer has a status in `req.from`.
   */
  async function knock(req: KnockRequest, trx?: Trx): Promise<string | false> {
    if (!trx) return db.transaction().execute((t) => knock(req, t));
    const { roomId, user, inviteId } = req;
    const at = now();
    if (req.from === 'new') {
      await repo.upsertParticipant(trx, {
        room_id: roomId,
        user_id: user.id,
        role: 'participant',
        status: 'pending',
        requested_at: at,
        updated_at: at,
        decided_by: null,
        invite_id: inviteId,
        client_key: req.clientKey ?? null,
      });
    } else if (
      !(await repo.transition(trx, roomId, user.id, req.from, {
        status: 'pending',
        role: 'participant',
        decided_by: null,
        requested_at: at,
        updated_at: at,
        invite_id: inviteId,
        ...(req.clientKey !== undefined ? { client_key: req.clientKey } : {}),
      }))
    ) {
      return false;
    }
    await repo.activity(trx, {
      roomId,
      kind: 'requested',
      userId: user.id,
      at,
      ...(inviteId ? { details: { via: 'invite' } } : {}),
    });
    return at;
  }

  /**
   * How someone arriving at the room from `ip` enters, beyond what their own row says.
   * A kick binds to an account, and a guest account costs nothing: a kicked guest who opens
   * a fresh browser is a new guest, and would walk straight back into an open room, a
   * password room through an invite, or past the lobby with a skip-the-lobby invite. So a
   * guest's network key (IPv4 address, IPv6 /64) is recorded on their row when they take
   * a seat or knock, and a kicked guest's row keeps it: a guest never admitted to the room
   * (no row yet, waiting, or denied) from that network is put in, or kept in, the lobby
   * whatever the room's entry or the invite says (a skip-the-lobby invite too, also one
   * accepted while waiting), and a host or co-host decides. A neighbour behind the same
   * NAT only has to knock. Someone admitted before is judged by their row (a seat kept
   * after leaving stays theirs, a kick stays a kick). Members are their account: nothing is
   * recorded for them, and they are never held back by it. The keys go when the room
   * closes (repo.closeRoom).
   */
  async function guestArrival(
    q: Trx | Db,
    roomId: string,
    user: Pick<User, 'isGuest'>,
    status: RoomParticipantsTable['status'] | undefined,
    ip: string,
  ): Promise<Arrival> {
    if (!user.isGuest) return { clientKey: null, mustKnock: false };
    const key = clientKey(ip);
    const admittedBefore = status === 'approved' || status === 'left' || status === 'kicked';
    return {
      clientKey: key,
      mustKnock: !admittedBefore && (await repo.kickedGuestFrom(q, roomId, key)),
    };
  }

  /** Tells whoever moderates the room that `user` knocked at `requestedAt` (after `knock`). */
  function announceKnock(roomId: string, user: KnockRequest['user'], requestedAt: string) {
    return toModerators(roomId, {
      type: 'lobby.requested',
      roomId,
      user: { id: user.id, displayName: user.displayName, isGuest: user.isGuest },
      requestedAt,
    });
  }

  /**
   * Tells people whose lobby request was just turned away (stored already), and the
   * moderators, so their lobby lists drop them.
   */
  async function announceTurnedAway(
    roomId: string,
    userIds: string[],
    reason: 'denied' | 'invite-revoked',
  ): Promise<void> {
    for (const userId of userIds) {
      await bus.toUser(userId, { type: 'lobby.denied', roomId, reason });
      await toModerators(roomId, { type: 'lobby.resolved', roomId, userId, outcome: 'denied' });
    }
  }

  /** Tells someone let in from the lobby, and the moderators (after the seat is stored). */
  async function announceAdmitted(roomId: string, userId: string): Promise<void> {
    await bus.toUser(userId, { type: 'lobby.admitted', roomId });
    await toModerators(roomId, { type: 'lobby.resolved', roomId, userId, outcome: 'admitted' });
  }

  /** For the modules whose calls end a room (`service` is defined below). */
  const closeRoom = (
    roomId: string,
    reason: 'ended' | 'expired',
    actorId: string | null,
    origin: RequestContext,
  ) => service.close(roomId, reason, actorId, origin);
  // Direct calls' and appointments' rooms: their parties only (personal.ts).
  const personal = createPersonalRooms({
    db,
    repo,
    newCode,
    lookupLimiter: deps.lookupLimiter,
    appointmentAccess: deps.appointmentAccess,
    seat: (req) => seat(req),
    roomFor,
    close: closeRoom,
  });
  const direct = createDirectRooms({
    repo,
    newCode,
    close: closeRoom,
    occupancy: personal.occupancy,
  });

  const quotas = createRoomQuotas({
    settings: deps.settings,
    createdLimiter: deps.createdLimiter,
    repo,
    db,
    audit,
  });

  const service = {
    async create(
      user: User,
      body: CreateRoomBody,
      origin: RequestContext,
    ): Promise<CreateRoomResponse> {
      if (user.isGuest) throw RoomErrors.guestsCannotCreate();
      const limits = roomSettings(deps.settings, deps.emptyTimeoutMs);
      requireSizeWithin(body.maxParticipants, limits);
      const limited = await quotas.beforeCreate(user, origin);
      const secret =
        body.entry === 'password' ? await passwordOrGenerated(body.password) : undefined;
      const at = now();
      for (let attempt = 0; ; attempt++) {
        const row: RoomsTable = {
          id: randomUUID(),
          code: newCode(),
          name: body.name,
          host_id: user.id,
          visibility: body.visibility,
          entry: body.entry,
          password_hash: secret?.hash ?? null,
          chat_enabled: fromBool(body.chatEnabled ?? limits.chatEnabledByDefault),
          max_participants: body.maxParticipants ?? limits.defaultMaxParticipants,
          locked: 0,
          status: 'open',
          created_at: at,
          closed_at: null,
          close_reason: null,
          // A room nobody ever enters is cleaned up like one everybody left (if instant).
          empty_since: at,
          kind: 'meeting',
          instant: fromBool(body.instant ?? false),
          meeting_started_at: null,
        };
        let refused: AppError | undefined;
        try {
          refused = await db.transaction().execute(async (trx) => {
            // Nothing is written when a quota refuses; its audit entry follows the commit.
            // A retry after a code collision: the first attempt counted the hour's use.
            const refusal = await quotas.inCreation(
              trx,
              user,
              attempt === 0 || !limited ? limited : { ...limited, perHour: undefined },
            );
            if (refusal) return refusal;
            await repo.insertRoom(trx, row);
            await repo.upsertParticipant(trx, {
              room_id: row.id,
              user_id: user.id,
              role: 'host',
              status: 'approved',
              requested_at: at,
              updated_at: at,
              decided_by: user.id,
              invite_id: null,
            });
            await repo.activity(trx, {
              roomId: row.id,
              kind: 'created',
              userId: user.id,
              actorId: user.id,
              at,
            });
            return undefined;
          });
        } catch (err) {
          // A code collision (49+ bits: vanishingly rare) just draws again.
          if (isUniqueViolation(err) && attempt < 3) continue;
          throw err;
        }
        if (refused) await quotas.refuse(user, origin, refused);
        await audit.record({
          type: 'room.created',
          actorId: user.id,
          origin,
          targetType: 'room',
          targetId: row.id,
          details: {
            code: row.code,
            entry: row.entry,
            visibility: row.visibility,
            maxParticipants: row.max_participants,
          },
        });
        return {
          room: await roomFor(row, user.id),
          ...(secret ? { password: secret.password } : {}),
        };
      }
    },

    /** A room as one user sees it, by id (no lookup throttling: for internal callers). */
    async view(roomId: string, userId: string): Promise<Room> {
      const r = await repo.findRoom(db, roomId);
      if (!r) throw RoomErrors.notFound();
      return roomFor(r, userId);
    },

    async get(ref: RoomRef, user: User, ip: string): Promise<Room> {
      const room = await resolve(ref, ip);
      // An appointment's parties may look at it any time; entering is what the window decides.
      if (isPersonal(room)) await personal.requireParty(room, user, ip, { visibleOnly: true });
      return roomFor(room, user.id);
    },

    async listMine(user: User): Promise<Room[]> {
      const rows = await repo.listForUser(db, user.id);
      const mine = new Map(
        (
          await repo.myParticipations(
            db,
            user.id,
            rows.map((r) => r.id),
          )
        ).map((p) => [p.room_id, p]),
      );
      return Promise.all(rows.map(async (r) => toRoom(await summary(r), mine.get(r.id))));
    },

    async listPublic(user: User): Promise<Room[]> {
      const rows = await repo.listPublicOpen(db);
      const mine = new Map(
        (
          await repo.myParticipations(
            db,
            user.id,
            rows.map((r) => r.id),
          )
        ).map((p) => [p.room_id, p]),
      );
      return Promise.all(rows.map(async (r) => toRoom(await summary(r), mine.get(r.id))));
    },

    async join(
      ref: RoomRef,
      user: User,
      password: string | undefined,
      ip: string,
    ): Promise<JoinRoomResponse> {
      const room = await resolve(ref, ip);
      if (isPersonal(room)) return personal.join(room, user, ip);
      if (room.status === 'closed') throw RoomErrors.closed();
      const me = await repo.findParticipant(db, room.id, user.id);
      const answer = async (
        status: 'approved' | 'pending',
        role: ParticipantRole,
      ): Promise<JoinRoomResponse> => ({
        status,
        role,
        isHost: role === 'host',
        room: await roomFor((await repo.findRoom(db, room.id)) ?? room, user.id),
      });

      if (me?.status === 'approved') return answer('approved', me.role);
      if (me?.status === 'pending') return answer('pending', me.role);
      if (me?.status === 'kicked') throw RoomErrors.kicked();
      if (me?.status === 'denied') throw RoomErrors.denied();
      // The host always gets back in, even into a locked room.
      const isHost = room.host_id === user.id;
      if (toBool(room.locked) && !isHost) throw RoomErrors.locked();

      const arrival = await guestArrival(db, room.id, user, me?.status, ip);
      const { clientKey: key } = arrival;
      if (me?.status === 'left') {
        // Someone admitted before who left keeps their admission (and needs no password again).
        const back = { roomId: room.id, userId: user.id, decidedBy: null, clientKey: key };
        if (!(await seat({ ...back, from: ['left'] })))
          return service.join(ref, user, password, ip);
        return answer('approved', me.role);
      }

      if (room.entry === 'password') {
        const limits = [
          [deps.passwordLimiter.perUser, `${room.id}:${user.id}`],
          [deps.passwordLimiter.perIp, `${room.id}:${clientKey(ip)}`],
        ] as const;
        const wait = Math.max(...(await Promise.all(limits.map(([l, k]) => l.blockedFor(k)))));
        if (wait > 0) throw Errors.tooManyAttempts(wait);
        if (
          !password ||
          !room.password_hash ||
          !(await verifyPassword(password, room.password_hash))
        ) {
          await Promise.all(limits.map(([l, k]) => l.fail(k)));
          throw RoomErrors.badPassword();
        }
      }

      // A guest held back by a kick (guestArrival) knocks at an open or password room too,
      // its password checked first: the lobby is no way around a password.
      if (room.entry === 'approval' || arrival.mustKnock) {
        const at = await knock({
          roomId: room.id,
          user,
          inviteId: null,
          from: 'new',
          clientKey: key,
        });
        if (at) await announceKnock(room.id, user, at);
        return answer('pending', 'participant');
      }

      await seat({
        roomId: room.id,
        userId: user.id,
        decidedBy: null,
        from: 'new',
        clientKey: key,
      });
      return answer('approved', 'participant');
    },

    /** The caller leaves the room, or withdraws their knock from the lobby. */
    async leave(roomId: string, user: User): Promise<void> {
      const me = await repo.findParticipant(db, roomId, user.id);
      if (!me) throw RoomErrors.notFound();
      if (me.status === 'pending' && (await repo.deletePending(db, roomId, user.id))) {
        await toModerators(roomId, { type: 'lobby.cancelled', roomId, userId: user.id });
        return;
      }
      // Admitted (perhaps while this request was on its way): the seat is given up.
      await releaseSeat(roomId, user.id);
    },

    async admit(
      roomId: string,
      targetId: string,
      actor: User,
      origin: RequestContext,
    ): Promise<RoomParticipant> {
      await requireModerator(roomId, actor.id);
      const target = await repo.findParticipant(db, roomId, targetId);
      if (!target) throw RoomErrors.participantNotFound();
      if (target.status === 'approved')
        throw RoomErrors.conflict('That person is already in the room.');
      // A new admission lifts an earlier deny or kick; that is the only way back in.
      const won = await seat({
        roomId,
        userId: targetId,
        decidedBy: actor.id,
        from: ['pending', 'denied', 'kicked', 'left'],
      });
      if (!won) throw RoomErrors.conflict('Someone else already decided on this request.');
      await auditDecision('room.admitted', roomId, targetId, actor, origin);
      await announceAdmitted(roomId, targetId);
      return toParticipant((await repo.findParticipant(db, roomId, targetId))!);
    },

    async deny(
      roomId: string,
      targetId: string,
      actor: User,
      origin: RequestContext,
    ): Promise<RoomParticipant> {
      await requireModerator(roomId, actor.id);
      const at = now();
      if (
        !(await repo.transition(db, roomId, targetId, ['pending'], {
          status: 'denied',
          decided_by: actor.id,
          updated_at: at,
        }))
      ) {
        const target = await repo.findParticipant(db, roomId, targetId);
        if (!target) throw RoomErrors.participantNotFound();
        throw RoomErrors.conflict('Only a waiting request can be denied.');
      }
      await repo.activity(db, { roomId, kind: 'denied', userId: targetId, actorId: actor.id, at });
      await auditDecision('room.denied', roomId, targetId, actor, origin);
      await bus.toUser(targetId, { type: 'lobby.denied', roomId, reason: 'denied' });
      await toModerators(roomId, {
        type: 'lobby.resolved',
        roomId,
        userId: targetId,
        outcome: 'denied',
      });
      return toParticipant((await repo.findParticipant(db, roomId, targetId))!);
    },

    async kick(
      roomId: string,
      targetId: string,
      actor: User,
      origin: RequestContext,
    ): Promise<RoomParticipant> {
      const room = await requireModerator(roomId, actor.id);
      const target = await repo.findParticipant(db, roomId, targetId);
      if (!target) throw RoomErrors.participantNotFound();
      if (targetId === room.host_id) throw RoomErrors.notHost();
      // Co-hosts may remove participants, not each other; the host may remove anyone.
      if (target.role === 'cohost' && actor.id !== room.host_id) throw RoomErrors.notHost();
      const at = now();
      if (
        !(await repo.transition(db, roomId, targetId, ['approved', 'pending', 'left'], {
          status: 'kicked',
          role: 'participant',
          decided_by: actor.id,
          updated_at: at,
        }))
      ) {
        throw RoomErrors.conflict('That person was already removed.');
      }
      await repo.activity(db, { roomId, kind: 'kicked', userId: targetId, actorId: actor.id, at });
      await auditDecision('room.kicked', roomId, targetId, actor, origin);
      // The socket layer applies this where the person's sockets live: they lose the room at once.
      await bus.toUser(targetId, { type: 'participant.kicked', roomId });
      return toParticipant((await repo.findParticipant(db, roomId, targetId))!);
    },

    async promote(roomId: string, targetId: string, actor: User): Promise<RoomParticipant> {
      await requireModerator(roomId, actor.id, true);
      const at = now();
      const target = await repo.findParticipant(db, roomId, targetId);
      if (!target) throw RoomErrors.participantNotFound();
      if (target.role !== 'participant')
        throw RoomErrors.conflict('That person is already a host or co-host.');
      if (
        !(await repo.transition(db, roomId, targetId, ['approved', 'left'], {
          role: 'cohost',
          updated_at: at,
        }))
      ) {
        throw RoomErrors.conflict('Only someone admitted to the room can become co-host.');
      }
      await repo.activity(db, {
        roomId,
        kind: 'promoted',
        userId: targetId,
        actorId: actor.id,
        at,
      });
      for (const entry of await roster.setRoleForUser(roomId, targetId, 'cohost')) {
        await bus.toRoom(roomId, { type: 'participant.updated', roomId, participant: entry });
      }
      // Lobby requests reach them from now on; these are the ones already waiting.
      await bus.toUser(targetId, {
        type: 'moderation.granted',
        roomId,
        role: 'cohost',
        reason: 'promoted',
        lobby: await lobbyEntries(roomId),
      });
      return toParticipant((await repo.findParticipant(db, roomId, targetId))!);
    },

    mute: moderation.mute,
    muteAll: (roomId: string, actor: User, origin: RequestContext) =>
      moderation.muteAll(roomId, actor, origin),
    lowerHand: moderation.lowerHand,
    spotlight: (roomId: string, connectionId: string | null, actor: User) =>
      moderation.spotlight(roomId, connectionId, actor),

    async update(roomId: string, body: UpdateRoomBody, actor: User): Promise<UpdateRoomResponse> {
      const room = await requireModerator(roomId, actor.id, true);
      if (room.status === 'closed') throw RoomErrors.closed();
      const entry = body.entry ?? room.entry;
      if (body.password !== undefined && entry !== 'password') {
        throw Errors.validation({
          password: ['A password only applies to rooms with password entry'],
        });
      }
      // Switching to password entry without one generates one; switching away drops it.
      const secret =
        entry === 'password' && (body.password !== undefined || !room.password_hash)
          ? await passwordOrGenerated(body.password)
          : undefined;
      requireSizeWithin(body.maxParticipants, roomSettings(deps.settings, deps.emptyTimeoutMs));
      const patch: Partial<RoomsTable> = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.maxParticipants !== undefined ? { max_participants: body.maxParticipants } : {}),
        ...(body.chatEnabled !== undefined ? { chat_enabled: fromBool(body.chatEnabled) } : {}),
        ...(body.locked !== undefined ? { locked: fromBool(body.locked) } : {}),
        entry,
        password_hash: entry === 'password' ? (secret?.hash ?? room.password_hash) : null,
      };
      await repo.updateRoom(db, roomId, patch);
      await repo.activity(db, {
        roomId,
        kind: 'updated',
        actorId: actor.id,
        at: now(),
        details: { fields: Object.keys(body).filter((k) => k !== 'password') },
      });
      const updated = (await repo.findRoom(db, roomId))!;
      await bus.toRoom(roomId, { type: 'room.updated', roomId, room: await summary(updated) });
      return {
        room: await roomFor(updated, actor.id),
        ...(secret ? { password: secret.password } : {}),
      };
    },

    /**
     * Ends the room for everyone; false when it was already closed. `by: 'admin'`: an
     * admin ended it from the admin pages (said so in the audit log).
     */
    async close(
      roomId: string,
      reason: 'ended' | 'expired',
      actorId: string | null,
      origin: RequestContext,
      opts: { by?: 'admin' } = {},
    ): Promise<boolean> {
      const at = now();
      const waiting = await repo.waitingUsers(db, roomId);
      const closed = await db.transaction().execute(async (trx) => {
        if (!(await repo.closeRoom(trx, roomId, at, reason))) return false;
        await repo.activity(trx, { roomId, kind: 'closed', actorId, at, details: { reason } });
        return true;
      });
      if (!closed) return false;
      // Once per room (only the close that won gets here); the system's when actorId is null.
      await audit.record({
        type: 'room.closed',
        actorId,
        origin,
        targetType: 'room',
        targetId: roomId,
        details: { reason, ...(opts.by ? { by: opts.by } : {}) },
      });
      const msg: ServerMessageOf<'room.closed'> = { type: 'room.closed', roomId, reason };
      await bus.toRoom(roomId, msg);
      // People still in the lobby are told too, so they stop waiting.
      for (const id of waiting) await bus.toUser(id, msg);
      await moderation.forget(roomId);
      // The modules that own the reactions (signaling's roster, playback's state) clean up.
      await bus.emit({ type: 'room.closed', roomId, reason });
      return true;
    },

    /** Ends the room for everyone: its host or a co-host (moderation survives the host). */
    async end(roomId: string, actor: User, origin: RequestContext): Promise<void> {
      const room = await requireModerator(roomId, actor.id);
      if (room.status === 'closed') throw RoomErrors.closed();
      await service.close(roomId, 'ended', actor.id, origin);
    },

    /** Admitted to, or waiting in the lobby of, an open room (guests' TURN access). */
    hasStanding(userId: string): Promise<boolean> {
      return repo.hasStanding(db, userId);
    },

    /**
     * Closes instant rooms (and direct calls' rooms) nobody has been connected to for
     * longer than `rooms.emptyRoomMinutes`. Other meeting rooms stay until ended.
     */
    async closeAbandoned(): Promise<number> {
      const { emptyRoomMinutes } = roomSettings(deps.settings, deps.emptyTimeoutMs);
      const before = new Date(clock.now().getTime() - emptyRoomMinutes * 60_000).toISOString();
      let n = 0;
      for (const id of await repo.roomsEmptySince(db, before)) {
        if ((await roster.countUsers(id)) > 0) continue; // a live connection wins over a stale flag
        if (await service.close(id, 'expired', null, SYSTEM_CONTEXT)) n++;
      }
      return n;
    },
  };

  /**
   * What invites (same module) need: seats, the lobby and the moderator check, written once.
   */
  const internal = {
    seat,
    knock,
    guestArrival,
    announceKnock,
    announceTurnedAway,
    requireModerator,
    announceAdmitted,
  };

  const gate: RoomGate = {
    async enter(roomId, user) {
      // One read for the room, its host's name and the seat: joins are the hot path.
      const found = await repo.entering(db, roomId, user.id);
      // An appointment's window is checked again at every socket join, not only over HTTP.
      if (found) await personal.requireAppointmentAccess(found.room, user, undefined);
      const me = found?.me;
      if (!found || !me) throw RoomErrors.notFound();
      const { room } = found;
      if (room.status === 'closed') throw RoomErrors.closed();
      if (me.status === 'kicked') throw RoomErrors.kicked();
      if (me.status === 'denied') throw RoomErrors.denied();
      if (me.status !== 'approved') throw RoomErrors.notApproved();
      const moderator = me.role === 'host' || me.role === 'cohost';
      return {
        role: me.role,
        room: toSummary(room, found.hostName, await roster.countUsers(roomId)),
        lobby: moderator ? await lobbyEntries(roomId) : undefined,
        spotlight: await moderation.spotlightOf(roomId),
      };
    },
    leave: (roomId, userId) => releaseSeat(roomId, userId),
    abandon: (roomId, userId) => releaseSeat(roomId, userId, { reason: 'disconnected' }),
    async occupied(roomId) {
      // The meeting starts now: every client's timer counts from this one instant.
      const meetingStartedAt = now();
      await repo.updateRoom(db, roomId, {
        empty_since: null,
        meeting_started_at: meetingStartedAt,
      });
      return { meetingStartedAt };
    },
    async emptied(roomId) {
      await repo.markEmpty(db, roomId, now());
    },
    departed: (roomId, connectionId) => moderation.departed(roomId, connectionId),
    handOver: (roomId, userId) => moderation.handOver(roomId, userId),
    async roleOf(roomId, userId) {
      const me = await repo.findParticipant(db, roomId, userId);
      return me?.status === 'approved' ? me.role : undefined;
    },
    heldSeats: (takenBefore) => repo.heldSeats(db, takenBefore.toISOString()),
    unattendedRooms: () => repo.unattendedRooms(db),
  };

  return { ...service, ...internal, gate, direct, appointment: personal.appointment };
}
export type RoomsService = ReturnType<typeof createRoomsService>;
