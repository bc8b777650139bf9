import { randomUUID } from 'node:crypto';
import type { AcceptInviteResponse, InviteResponse, InviteSummary, User } from '@parley/protocol';
import { SignJWT, jwtVerify } from 'jose';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { toBool } from '../../platform/db/database.js';
import { Errors } from '../../platform/errors.js';
import { createGuest } from '../users/index.js';
import type { UserRecord } from '../users/index.js';
import { RoomErrors } from './errors.js';
import type { RoomsRepo } from './repo.js';
import type { RoomsService } from './service.js';

// Its own token type: an invite is never accepted as an access token, nor the reverse.
const INVITE_TYP = 'invite+jwt';

export type InvitesDeps = {
  db: Db;
  repo: RoomsRepo;
  /** Seats and the moderator check come from the rooms service, so they are written once. */
  rooms: Pick<RoomsService, 'seat' | 'requireModerator' | 'view'>;
  clock: Clock;
  secret: string;
  /** Starts a session (tokens) for a guest created by accepting an invite. */
  startSession(user: UserRecord): Promise<{ tokens: NonNullable<AcceptInviteResponse['tokens']> }>;
};

export function createInvitesService(deps: InvitesDeps) {
  const { db, repo, rooms, clock } = deps;
  const key = new TextEncoder().encode(deps.secret);

  /** Verifies signature, type and room binding; expiry and use counts come from the row. */
  async function load(token: string) {
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
    if (expired || usedUp || invite.revoked_at) throw RoomErrors.inviteInvalid();
    if (room.status === 'closed') throw RoomErrors.closed();
    return { invite, room };
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

    async summary(token: string): Promise<InviteSummary> {
      const { invite, room } = await load(token);
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
    ): Promise<AcceptInviteResponse> {
      if (!caller && !displayName) {
        throw Errors.validation({ displayName: ['Enter a name to join as a guest'] });
      }
      const { invite, room } = await load(token);
      if (toBool(room.locked)) throw RoomErrors.locked();

      const guest = await db.transaction().execute(async (trx) => {
        const guestRecord = caller
          ? undefined
          : await createGuest(trx, displayName!, clock.now().toISOString());
        const userId = caller?.id ?? guestRecord!.id;
        const me = await repo.findParticipant(trx, room.id, userId);
        if (me?.status === 'approved') return guestRecord; // already in: no use consumed
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
        return guestRecord;
      });

      const userId = caller?.id ?? guest!.id;
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
