import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@parley/protocol';
import type { AcceptInviteResponse, InviteResponse, InviteSummary, User } from '@parley/protocol';
import { SignJWT, jwtVerify } from 'jose';
import type { AuditLog } from '../../platform/audit.js';
import { noAudit } from '../../platform/audit.js';
import { clientKey } from '../../platform/client-key.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { AttemptLimiter } from '../../platform/live/index.js';
import { toBool } from '../../platform/db/database.js';
import { AccessErrors, AppError, Errors } from '../../platform/errors.js';
import { createGuest } from '../users/index.js';
import type { UserRecord } from '../users/index.js';
import { RoomErrors } from './errors.js';
import type { RoomsRepo } from './repo.js';
import type { RoomsService } from './service.js';

// Its own token type: an invite is never accepted as an access token, nor the reverse.
const INVITE_TYP = 'invite+jwt';

export type InvitesDeps = {
  /** Guests created and people admitted by a link. */
  audit?: AuditLog;
  db: Db;
  repo: RoomsRepo;
  /** Seats and the moderator check come from the rooms service, so they are written once. */
  rooms: Pick<RoomsService, 'seat' | 'requireModerator' | 'view'>;
  clock: Clock;
  secret: string;
  /** Guest access and the per-IP guest quota (modules/settings); absent: guests always welcome. */
  admitGuest?: (ip: string) => Promise<void>;
  /**
   * Links that are not ours (forged, unknown, bound to another room), per IP: the link is a
   * bearer capability, so guessing one must be slow, like room codes.
   */
  lookupLimiter: AttemptLimiter;
  /** Starts a session (tokens) for a guest created by accepting an invite. */
  startSession(user: UserRecord): Promise<{ tokens: NonNullable<AcceptInviteResponse['tokens']> }>;
};

export function createInvitesService(deps: InvitesDeps) {
  const { db, repo, rooms, clock } = deps;
  const audit = deps.audit ?? noAudit;
  const key = new TextEncoder().encode(deps.secret);

  /**
   * Verifies signature, type and room binding; expiry and use counts come from the row.
   * A link that is spent (expired, used up, revoked) still answers for `callerId` when
   * they are already in its room: they need no admission (the one who registered with a
   * 1-use link and comes back to its page).
   */
  async function load(token: string, callerId?: string) {
    let inviteId: string;
    let roomId: string;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        typ: INVITE_TYP,
        issuer: 'parley',
        audience: 'parley:invite',
        // Expiry is checked against the row below, with a precise 410.
        currentDate: new Date(0),
        requiredClaims: ['jti', 'rid'],
      });
      inviteId = String(payload.jti);
      roomId = String(payload.rid);
    } catch {
      throw RoomErrors.inviteNotFound();
    }
    const invite = await repo.findInvite(db, inviteId);
    if (!invite || invite.room_id !== roomId) throw RoomErrors.inviteNotFound();
    const room = await repo.findRoom(db, roomId);
    // No invite to a direct call's or an appointment's room can be made; none is honoured either.
    if (!room || room.kind !== 'meeting') throw RoomErrors.inviteNotFound();
    const expired = invite.expires_at <= clock.now().toISOString();
    const usedUp = invite.max_uses !== null && invite.uses >= invite.max_uses;
    if ((expired || usedUp || invite.revoked_at) && !(await alreadyIn(room.id, callerId))) {
      throw RoomErrors.inviteInvalid();
    }
    if (room.status === 'closed') throw RoomErrors.closed();
    return { invite, room };
  }

  async function alreadyIn(roomId: string, userId: string | undefined): Promise<boolean> {
    if (!userId) return false;
    return (await repo.findParticipant(db, roomId, userId))?.status === 'approved';
  }

  /** `load` for a caller at `ip`: a blocked IP is refused first; only a 404 counts against it. */
  async function loadFrom(ip: string, token: string, callerId?: string) {
    const caller = clientKey(ip);
    const wait = await deps.lookupLimiter.blockedFor(caller);
    if (wait > 0) throw Errors.tooManyAttempts(wait);
    try {
      return await load(token, callerId);
    } catch (err) {
      // An expired or used-up link is a real one: whoever holds it is not guessing.
      if (err instanceof AppError && err.code === ErrorCode.INVITE_NOT_FOUND) {
        await deps.lookupLimiter.fail(caller);
      }
      throw err;
    }
  }

  return {
    async create(
      roomId: string,
      actor: User,
      body: { expiresInMinutes: number; maxUses?: number | undefined },
      baseUrl: string,
    ): Promise<InviteResponse> {
      const room = await rooms.requireModerator(roomId, actor.id);
      if (room.status === 'closed') throw RoomErrors.closed();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + body.expiresInMinutes * 60_000);
      const id = randomUUID();
      await repo.insertInvite(db, {
        id,
        room_id: roomId,
        created_by: actor.id,
        created_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
        max_uses: body.maxUses ?? null,
        uses: 0,
        revoked_at: null,
      });
      const token = await new SignJWT({ rid: roomId })
        .setProtectedHeader({ alg: 'HS256', typ: INVITE_TYP })
        .setJti(id)
        .setIssuer('parley')
        .setAudience('parley:invite')
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return {
        token,
        url: `${baseUrl}/invite/${token}`,
        expiresAt: expiresAt.toISOString(),
        maxUses: body.maxUses ?? null,
      };
    },

    /**
     * Registration while `invite-only`: `create` (the account insert) runs in one
     * transaction with one use of the invite. A 1-use link makes one account however many
     * try, at once or after; an insert that fails (email taken) rolls the use back. Any
     * refusal of the link (bad signature, expired, used up, revoked, room ended) is 403
     * INVITE_REQUIRED.
     *
     * The use is this person's, as accepting the link would make it: the new account takes
     * its seat in the room in the same transaction, so the invite page they return to
     * finds them in and uses nothing more (a 1-use link would otherwise be spent by the
     * registration and refuse its own holder). A locked or full room keeps them out for
     * now; the account stands.
     */
    async useForRegistration<T extends { id: string }>(
      token: string,
      create: (trx: Db) => Promise<T>,
    ): Promise<{ account: T; inviteId: string }> {
      let found: Awaited<ReturnType<typeof load>>;
      try {
        found = await load(token);
      } catch (err) {
        if (err instanceof AppError) throw AccessErrors.inviteRequired();
        throw err;
      }
      const { invite, room } = found;
      const { account, admitted } = await db.transaction().execute(async (trx) => {
        if (!(await repo.consumeInviteUse(trx, invite.id))) throw AccessErrors.inviteRequired();
        const account = await create(trx);
        if (toBool(room.locked)) return { account, admitted: false };
        const request = {
          roomId: room.id,
          userId: account.id,
          decidedBy: invite.created_by,
          from: 'new' as const,
          details: { via: 'invite', inviteId: invite.id },
        };
        try {
          return { account, admitted: await rooms.seat(request, trx) };
        } catch (err) {
          // Refused before any write (the room filled up or ended meanwhile).
          if (
            err instanceof AppError &&
            (err.code === ErrorCode.ROOM_FULL || err.code === ErrorCode.ROOM_CLOSED)
          ) {
            return { account, admitted: false };
          }
          throw err;
        }
      });
      if (admitted) {
        await audit.record({
          type: 'room.admitted',
          actorId: invite.created_by,
          targetType: 'user',
          targetId: account.id,
          details: { roomId: room.id, via: 'invite', inviteId: invite.id },
        });
      }
      return { account, inviteId: invite.id };
    },

    async summary(token: string, ip: string): Promise<InviteSummary> {
      const { invite, room } = await loadFrom(ip, token);
      return {
        room: { id: room.id, code: room.code, name: room.name },
        hostDisplayName: await repo.hostName(db, room.host_id),
        expiresAt: invite.expires_at,
      };
    },

    /**
     * Accepting is the host's admission: the person enters approved, without password or
     * lobby. Signed-in callers join as themselves; anyone else becomes a guest. A person
     * kicked or denied after the invite was made cannot use it to come back. The guest,
     * the seat and the use are one transaction: a refused seat or a used-up link leaves
     * no guest behind.
     */
    async accept(
      token: string,
      caller: User | null,
      displayName: string | undefined,
      ip: string,
    ): Promise<AcceptInviteResponse> {
      if (!caller && !displayName) {
        throw Errors.validation({ displayName: ['Enter a name to join as a guest'] });
      }
      const { invite, room } = await loadFrom(ip, token, caller?.id);
      // Already in (a locked room too): nothing to admit, no use consumed.
      if (caller && (await alreadyIn(room.id, caller.id))) {
        return { room: await rooms.view(room.id, caller.id), status: 'approved' };
      }
      if (toBool(room.locked)) throw RoomErrors.locked();
      // A new guest account: allowed at all, and this IP's hourly quota (an existing
      // account, a guest's included, uses the link as itself).
      if (!caller) await deps.admitGuest?.(ip);

      const { guest, admitted } = await db.transaction().execute(async (trx) => {
        const guestRecord = caller
          ? undefined
          : await createGuest(trx, displayName!, clock.now().toISOString());
        const userId = caller?.id ?? guestRecord!.id;
        const me = await repo.findParticipant(trx, room.id, userId);
        // Already in: no use consumed.
        if (me?.status === 'approved') return { guest: guestRecord, admitted: false };
        if (
          (me?.status === 'kicked' || me?.status === 'denied') &&
          me.updated_at >= invite.created_at
        ) {
          throw me.status === 'kicked' ? RoomErrors.kicked() : RoomErrors.denied();
        }
        // Only from the status just read: a kick or a seat that lands meanwhile wins.
        const seated = await rooms.seat(
          {
            roomId: room.id,
            userId,
            decidedBy: invite.created_by,
            from: me ? [me.status] : 'new',
            details: { via: 'invite', inviteId: invite.id },
          },
          trx,
        );
        if (!seated) throw RoomErrors.conflict('Your place in this room changed; try again.');
        // Consumed only if a use is left: concurrent accepts of a 1-use link admit one
        // person, and the loser's guest and seat roll back with this transaction.
        if (!(await repo.consumeInviteUse(trx, invite.id))) throw RoomErrors.inviteInvalid();
        return { guest: guestRecord, admitted: true };
      });

      const userId = caller?.id ?? guest!.id;
      if (guest) {
        await audit.record({
          type: 'auth.guest',
          actorId: guest.id,
          targetType: 'user',
          targetId: guest.id,
          details: { via: 'invite', roomId: room.id },
        });
      }
      // The link is its author's admission (as the seat records it), used by this person.
      if (admitted) {
        await audit.record({
          type: 'room.admitted',
          actorId: invite.created_by,
          targetType: 'user',
          targetId: userId,
          details: { roomId: room.id, via: 'invite', inviteId: invite.id },
        });
      }
      const roomView = await rooms.view(room.id, userId);
      if (guest) {
        const { tokens } = await deps.startSession(guest);
        const { passwordHash: _p, disabledAt: _d, ...user } = guest;
        return { room: roomView, status: 'approved', user, tokens };
      }
      return { room: roomView, status: 'approved' };
    },
  };
}
export type InvitesService = ReturnType<typeof createInvitesService>;
