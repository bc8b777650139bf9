import { createHash, randomInt } from 'node:crypto';
import { ErrorCode, INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, InviteCode } from '@parley/protocol';
import type {
  AcceptInviteResponse,
  Invite,
  InviteListResponse,
  InviteResponse,
  InviteStatus,
  InviteSummary,
  User,
} from '@parley/protocol';
import type { AuditLog } from '../../platform/audit.js';
import { noAudit } from '../../platform/audit.js';
import { clientKey } from '../../platform/client-key.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { RoomInvitesTable } from '../../platform/db/schema.js';
import type { AttemptLimiter } from '../../platform/live/index.js';
import { fromBool, isUniqueViolation, toBool } from '../../platform/db/database.js';
import { AccessErrors, AppError, Errors } from '../../platform/errors.js';
import type { CallerContext, RequestContext } from '../../platform/request-context.js';
import { createGuest } from '../users/index.js';
import type { UserRecord } from '../users/index.js';
import { RoomErrors } from './errors.js';
import type { InviteRow, RoomsRepo } from './repo.js';
import type { RoomsService } from './service.js';

// Invites are short codes (`xxxxx-xxxxx`, ~58 bits) that are only an id: the row decides
// everything, on every use, so a revoked invite stops working at once. There is nothing to
// sign; guessing is what the per-IP lookup limiter is for.

export type InvitesDeps = {
  /** Invites made and revoked, guests created and people admitted by a link. */
  audit?: AuditLog;
  db: Db;
  repo: RoomsRepo;
  /** Seats, the lobby and the moderator check come from the rooms service, written once. */
  rooms: Pick<
    RoomsService,
    | 'seat'
    | 'knock'
    | 'guestArrival'
    | 'announceKnock'
    | 'announceAdmitted'
    | 'announceTurnedAway'
    | 'requireModerator'
    | 'view'
  >;
  clock: Clock;
  /** Guest access and the per-IP guest quota (modules/settings); absent: guests always welcome. */
  admitGuest?: (caller: CallerContext) => Promise<void>;
  /**
   * Codes that are not ours, per IP: the code is a bearer capability, so guessing one
   * must be slow, like room codes.
   */
  lookupLimiter: AttemptLimiter;
  /** Starts a session (tokens) for a guest created by accepting an invite. */
  startSession(user: UserRecord): Promise<{ tokens: NonNullable<AcceptInviteResponse['tokens']> }>;
};

/** A fresh code: INVITE_CODE_LENGTH characters of the alphabet, written `xxxxx-xxxxx`. */
export function newInviteCode(): string {
  const chars = Array.from(
    { length: INVITE_CODE_LENGTH },
    () => INVITE_CODE_ALPHABET[randomInt(INVITE_CODE_ALPHABET.length)],
  );
  const half = INVITE_CODE_LENGTH / 2;
  return `${chars.slice(0, half).join('')}-${chars.slice(half).join('')}`;
}

/**
 * How the audit log names an invite: a digest, never the code. The code is a credential
 * and admins who read the log have no standing in the room.
 */
export function inviteRef(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 12);
}

/** What an invite's row says about it now. */
export function inviteStatus(row: RoomInvitesTable, at: string): InviteStatus {
  if (row.revoked_at) return 'revoked';
  if (row.max_uses !== null && row.uses >= row.max_uses) return 'used-up';
  if (row.expires_at <= at) return 'expired';
  return 'active';
}

type Outcome =
  /** Already in: nothing admitted, no use. */
  | { kind: 'in' }
  /** Already waiting in the lobby: no new use. */
  | { kind: 'waiting' }
  /** Admitted now; `fromLobby`: they were waiting and this skip-the-lobby invite let them in. */
  | { kind: 'admitted'; fromLobby: boolean }
  /** Put in the lobby now, at `requestedAt`. */
  | { kind: 'knocked'; requestedAt: string };

export function createInvitesService(deps: InvitesDeps) {
  const { db, repo, rooms, clock } = deps;
  const audit = deps.audit ?? noAudit;
  const now = () => clock.now().toISOString();

  function toInvite(row: InviteRow, baseUrl: string, at: string): Invite {
    return {
      code: row.id,
      url: `${baseUrl}/i/${row.id}`,
      roomId: row.room_id,
      createdAt: row.created_at,
      createdBy: { id: row.created_by, displayName: row.created_by_name },
      expiresAt: row.expires_at,
      maxUses: row.max_uses,
      uses: row.uses,
      skipLobby: toBool(row.skip_lobby),
      revokedAt: row.revoked_at,
      status: inviteStatus(row, at),
    };
  }

  /**
   * The invite and its room. A code that is not a meeting room's invite is 404; one that is
   * spent (expired, used up, revoked) is 410, except for `callerId` already in its room or
   * its lobby: they need no admission (the one who registered with a 1-use link and comes
   * back to its page).
   */
  async function load(code: string, callerId?: string) {
    // Invites made before codes (UUID ids) are never looked up: they were signed links.
    const invite = InviteCode.safeParse(code).success ? await repo.findInvite(db, code) : undefined;
    if (!invite) throw RoomErrors.inviteNotFound();
    const room = await repo.findRoom(db, invite.room_id);
    // No invite to a direct call's or an appointment's room can be made; none is honoured either.
    if (!room || room.kind !== 'meeting') throw RoomErrors.inviteNotFound();
    const status = inviteStatus(invite, now());
    if (status !== 'active' && !(await hasStanding(room.id, callerId))) {
      throw RoomErrors.inviteSpent(status);
    }
    if (room.status === 'closed') throw RoomErrors.closed();
    return { invite, room };
  }

  /** In the room, or waiting in its lobby. */
  async function hasStanding(roomId: string, userId: string | undefined): Promise<boolean> {
    if (!userId) return false;
    const status = (await repo.findParticipant(db, roomId, userId))?.status;
    return status === 'approved' || status === 'pending';
  }

  /** `load` for a caller at `ip`: a blocked IP is refused first; only a 404 counts against it. */
  async function loadFrom(ip: string, code: string, callerId?: string) {
    const caller = clientKey(ip);
    const wait = await deps.lookupLimiter.blockedFor(caller);
    if (wait > 0) throw Errors.tooManyAttempts(wait);
    try {
      return await load(code, callerId);
    } catch (err) {
      // A spent invite is a real one: whoever holds it is not guessing.
      if (err instanceof AppError && err.code === ErrorCode.INVITE_NOT_FOUND) {
        await deps.lookupLimiter.fail(caller);
      }
      throw err;
    }
  }

  /** Whether this invite leaves its holder knocking: an approval room, no skip-the-lobby. */
  const knocks = (room: { entry: string }, invite: RoomInvitesTable) =>
    room.entry === 'approval' && !toBool(invite.skip_lobby);

  return {
    async create(
      roomId: string,
      actor: User,
      body: { expiresInMinutes: number; maxUses?: number | undefined; skipLobby?: boolean },
      baseUrl: string,
      origin: RequestContext,
    ): Promise<InviteResponse> {
      const room = await rooms.requireModerator(roomId, actor.id);
      if (room.status === 'closed') throw RoomErrors.closed();
      const at = clock.now();
      const row: RoomInvitesTable = {
        id: newInviteCode(),
        room_id: roomId,
        created_by: actor.id,
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + body.expiresInMinutes * 60_000).toISOString(),
        max_uses: body.maxUses ?? null,
        uses: 0,
        revoked_at: null,
        skip_lobby: fromBool(body.skipLobby ?? false),
      };
      for (let attempt = 0; ; attempt++) {
        try {
          await repo.insertInvite(db, row);
          break;
        } catch (err) {
          // A collision (58 bits: vanishingly rare) just draws again.
          if (isUniqueViolation(err) && attempt < 3) {
            row.id = newInviteCode();
            continue;
          }
          throw err;
        }
      }
      await audit.record({
        type: 'invite.created',
        actorId: actor.id,
        origin,
        targetType: 'room',
        targetId: roomId,
        details: {
          invite: inviteRef(row.id),
          expiresAt: row.expires_at,
          maxUses: row.max_uses,
          skipLobby: toBool(row.skip_lobby),
        },
      });
      return {
        invite: toInvite({ ...row, created_by_name: actor.displayName }, baseUrl, row.created_at),
      };
    },

    /** The room's invites, newest first, as its hosts and co-hosts see them. */
    async list(roomId: string, actor: User, baseUrl: string): Promise<InviteListResponse> {
      await rooms.requireModerator(roomId, actor.id);
      const at = now();
      const rows = await repo.listInvites(db, roomId);
      return {
        invites: rows
          // Invites made before codes (signed links, UUID ids) no longer work: not listed.
          .filter((r) => InviteCode.safeParse(r.id).success)
          .map((r) => toInvite(r, baseUrl, at)),
      };
    },

    /**
     * Revokes an invite of the room at once: nobody gets in with it from now on, and
     * whoever waits in the lobby having come with it is turned away in the same
     * transaction (`lobby.denied {reason: 'invite-revoked'}`). Revoking twice is no error.
     * A code of another room (or none) is 404 INVITE_NOT_FOUND.
     */
    async revoke(roomId: string, code: string, actor: User, origin: RequestContext): Promise<void> {
      await rooms.requireModerator(roomId, actor.id);
      const at = now();
      const done = await db.transaction().execute(async (trx) => {
        // The invite's row first: an accept racing this waits for it, then finds it revoked.
        const result = await repo.revokeInvite(trx, roomId, code, at);
        if (result !== 'revoked') return { result, turnedAway: [] as string[] };
        const turnedAway: string[] = [];
        for (const userId of await repo.pendingByInvite(trx, roomId, code)) {
          const denied = await repo.transition(trx, roomId, userId, ['pending'], {
            status: 'denied',
            decided_by: actor.id,
            updated_at: at,
          });
          if (!denied) continue;
          await repo.activity(trx, {
            roomId,
            kind: 'denied',
            userId,
            actorId: actor.id,
            at,
            details: { reason: 'invite-revoked' },
          });
          turnedAway.push(userId);
        }
        return { result, turnedAway };
      });
      if (done.result === 'none') throw RoomErrors.inviteNotFound();
      if (done.result === 'already') return;
      await audit.record({
        type: 'invite.revoked',
        actorId: actor.id,
        origin,
        targetType: 'room',
        targetId: roomId,
        details: { invite: inviteRef(code), turnedAway: done.turnedAway.length },
      });
      await rooms.announceTurnedAway(roomId, done.turnedAway, 'invite-revoked');
    },

    /**
     * Registration while `invite-only`: `create` (the account insert) runs in one
     * transaction with one use of the invite. A 1-use link makes one account however many
     * try, at once or after; an insert that fails (email taken) rolls the use back. Any
     * refusal of the code (unknown, expired, used up, revoked, room ended) is 403
     * INVITE_REQUIRED.
     *
     * The use is this person's, as accepting the invite would make it: in the same
     * transaction the new account takes its seat (open and password rooms, a
     * skip-the-lobby invite) or its place in the lobby (approval rooms, the invite
     * recorded), so the invite page they return to finds them in or waiting and uses
     * nothing more (a 1-use link would otherwise be spent by the registration and refuse
     * its own holder). A locked or full room keeps them out for now; the account stands.
     */
    async useForRegistration<T extends { id: string; displayName: string }>(
      code: string,
      create: (trx: Db) => Promise<T>,
      origin: RequestContext,
    ): Promise<{ account: T; invite: string }> {
      let found: Awaited<ReturnType<typeof load>>;
      try {
        found = await load(code);
      } catch (err) {
        if (err instanceof AppError) throw AccessErrors.inviteRequired();
        throw err;
      }
      const { invite, room } = found;
      const { account, outcome } = await db.transaction().execute(async (trx) => {
        if (!(await repo.consumeInviteUse(trx, invite.id, now()))) {
          throw AccessErrors.inviteRequired();
        }
        const account = await create(trx);
        if (toBool(room.locked)) return { account, outcome: undefined };
        if (knocks(room, invite)) {
          const requestedAt = await rooms.knock(
            {
              roomId: room.id,
              user: { id: account.id, displayName: account.displayName, isGuest: false },
              inviteId: invite.id,
              from: 'new',
            },
            trx,
          );
          return {
            account,
            outcome: requestedAt ? ({ kind: 'knocked', requestedAt } as const) : undefined,
          };
        }
        const request = {
          roomId: room.id,
          userId: account.id,
          decidedBy: invite.created_by,
          from: 'new' as const,
          details: { via: 'invite', invite: inviteRef(invite.id) },
        };
        try {
          const seated = await rooms.seat(request, trx);
          return { account, outcome: seated ? ({ kind: 'admitted' } as const) : undefined };
        } catch (err) {
          // Refused before any write (the room filled up or ended meanwhile).
          if (
            err instanceof AppError &&
            (err.code === ErrorCode.ROOM_FULL || err.code === ErrorCode.ROOM_CLOSED)
          ) {
            return { account, outcome: undefined };
          }
          throw err;
        }
      });
      if (outcome?.kind === 'admitted') {
        await audit.record({
          type: 'room.admitted',
          actorId: invite.created_by,
          origin,
          targetType: 'user',
          targetId: account.id,
          details: { roomId: room.id, via: 'invite', invite: inviteRef(invite.id) },
        });
      }
      if (outcome?.kind === 'knocked') {
        await rooms.announceKnock(
          room.id,
          { id: account.id, displayName: account.displayName, isGuest: false },
          outcome.requestedAt,
        );
      }
      // The audit log's name for the invite (inviteRef), never its code.
      return { account, invite: inviteRef(invite.id) };
    },

    async summary(code: string, ip: string): Promise<InviteSummary> {
      const { invite, room } = await loadFrom(ip, code);
      return {
        room: { id: room.id, code: room.code, name: room.name },
        hostDisplayName: await repo.hostName(db, room.host_id),
        expiresAt: invite.expires_at,
        admission: knocks(room, invite) ? 'lobby' : 'direct',
      };
    },

    /**
     * Accepting stands in for the password, never for a kick:
     * - open and password rooms, or a skip-the-lobby invite: the person enters approved
     *   (the invite's author admitted them);
     * - approval rooms: the person waits in the lobby (pending, the invite recorded so
     *   revoking it turns them away) until a host or co-host admits them.
     * Signed-in callers use it as themselves; anyone else becomes a guest. Already in:
     * approved, no use; already waiting: pending, no new use (a skip-the-lobby invite lets
     * them in). Someone removed from the room is refused through every invite of it, old
     * or new: only a moderator's admission lifts a kick. A new guest from the network of a
     * guest kicked from the room (a fresh browser is a fresh guest) waits in the lobby
     * whatever the invite says. Someone denied after the invite
     * was made cannot use it to come back. The guest, the seat or lobby place, and the use
     * are one transaction: a refusal leaves no guest behind.
     */
    async accept(
      code: string,
      caller: User | null,
      displayName: string | undefined,
      from: CallerContext,
    ): Promise<AcceptInviteResponse> {
      const { ip } = from;
      if (!caller && !displayName) {
        throw Errors.validation({ displayName: ['Enter a name to join as a guest'] });
      }
      const { invite, room } = await loadFrom(ip, code, caller?.id);
      const skip = !knocks(room, invite);
      const mine = caller ? await repo.findParticipant(db, room.id, caller.id) : undefined;
      // Already in (a locked room too): nothing to admit, no use consumed.
      if (mine?.status === 'approved') {
        return { room: await rooms.view(room.id, caller!.id), status: 'approved' };
      }
      if (mine?.status === 'kicked') throw RoomErrors.kicked();
      // Already waiting: still waiting (a locked room admits nobody by invite, nor does a
      // spent invite, which only answered because they wait).
      const spent = inviteStatus(invite, now()) !== 'active';
      if (mine?.status === 'pending' && (!skip || spent || toBool(room.locked))) {
        return { room: await rooms.view(room.id, caller!.id), status: 'pending' };
      }
      if (toBool(room.locked)) throw RoomErrors.locked();
      // A new guest account: allowed at all, and this IP's hourly quota (an existing
      // account, a guest's included, uses the invite as itself).
      if (!caller) await deps.admitGuest?.(from);

      const details = { via: 'invite', invite: inviteRef(invite.id) };
      const { guest, outcome } = await db.transaction().execute(async (trx) => {
        const guestRecord = caller ? undefined : await createGuest(trx, displayName!, now());
        const user = caller ?? guestRecord!;
        const me = await repo.findParticipant(trx, room.id, user.id);
        const status = me?.status;
        const done = (outcome: Outcome) => ({ guest: guestRecord, outcome });
        const changed = () => RoomErrors.conflict('Your place in this room changed; try again.');
        let outcome: Outcome;
        if (status === 'approved') return done({ kind: 'in' });
        if (status === 'kicked') throw RoomErrors.kicked();
        if (me?.status === 'denied' && me.updated_at >= invite.created_at) {
          throw RoomErrors.denied();
        }
        // A guest never admitted here, from the network of a guest kicked from this room,
        // knocks through any invite of it (guestArrival says why); a guest's network is
        // recorded either way.
        const arrival = await rooms.guestArrival(trx, room.id, user, status, ip);
        const admits = skip && !arrival.mustKnock;
        if (status === 'pending' && !admits) return done({ kind: 'waiting' });
        // Someone admitted before who left keeps their admission, as when joining.
        if (admits || status === 'left') {
          // Only from the status just read: a kick or a decision that lands meanwhile wins.
          const seated = await rooms.seat(
            {
              roomId: room.id,
              userId: user.id,
              decidedBy: invite.created_by,
              from: status ? [status] : 'new',
              details,
              clientKey: arrival.clientKey,
            },
            trx,
          );
          if (!seated) throw changed();
          outcome = { kind: 'admitted', fromLobby: status === 'pending' };
        } else {
          const requestedAt = await rooms.knock(
            {
              roomId: room.id,
              user: { id: user.id, displayName: user.displayName, isGuest: user.isGuest },
              inviteId: invite.id,
              from: status === 'denied' ? [status] : 'new',
              clientKey: arrival.clientKey,
            },
            trx,
          );
          if (!requestedAt) throw changed();
          outcome = { kind: 'knocked', requestedAt };
        }
        // Consumed only if the invite still works: concurrent accepts of a 1-use link let
        // one person through, an accept racing a revoke loses, and the loser's guest and
        // seat roll back with this transaction.
        if (!(await repo.consumeInviteUse(trx, invite.id, now()))) {
          const row = await repo.findInvite(trx, invite.id);
          const status = row ? inviteStatus(row, now()) : 'revoked';
          // Nothing else stops a consume: no longer active, it was the last use that went.
          throw RoomErrors.inviteSpent(status === 'active' ? 'used-up' : status);
        }
        return done(outcome);
      });

      const user = caller ?? guest!;
      if (guest) {
        await audit.record({
          type: 'auth.guest',
          actorId: guest.id,
          origin: from,
          targetType: 'user',
          targetId: guest.id,
          details: { via: 'invite', roomId: room.id },
        });
      }
      // The invite is its author's admission (as the seat records it), used by this person.
      if (outcome.kind === 'admitted') {
        await audit.record({
          type: 'room.admitted',
          actorId: invite.created_by,
          origin: from,
          targetType: 'user',
          targetId: user.id,
          details: { roomId: room.id, ...details },
        });
        if (outcome.fromLobby) await rooms.announceAdmitted(room.id, user.id);
      }
      if (outcome.kind === 'knocked') {
        await rooms.announceKnock(room.id, user, outcome.requestedAt);
      }
      const status =
        outcome.kind === 'knocked' || outcome.kind === 'waiting' ? 'pending' : 'approved';
      const roomView = await rooms.view(room.id, user.id);
      if (guest) {
        const { tokens } = await deps.startSession(guest);
        const { passwordHash: _p, disabledAt: _d, ...publicGuest } = guest;
        return { room: roomView, status, user: publicGuest, tokens };
      }
      return { room: roomView, status };
    },
  };
}
export type InvitesService = ReturnType<typeof createInvitesService>;
