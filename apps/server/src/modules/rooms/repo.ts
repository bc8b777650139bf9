import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { prepared } from '../../platform/db/prepared.js';
import type {
  Database,
  RoomActivityKind,
  RoomInvitesTable,
  RoomParticipantsTable,
  RoomsTable,
} from '../../platform/db/schema.js';

/** The database or a transaction: every repo function runs in either. */
export type Q = Db | Transaction<Database>;
export type Trx = Transaction<Database>;
export type ParticipantRow = RoomParticipantsTable & { display_name: string; is_guest: number };
export type InviteRow = RoomInvitesTable & { created_by_name: string };
/** A participant row to write: `client_key` only for guests (absent: null). */
export type NewParticipant = Omit<RoomParticipantsTable, 'client_key'> &
  Partial<Pick<RoomParticipantsTable, 'client_key'>>;

/** SQL for rooms, participants, invites and activity. Every function takes the db or a transaction. */
export function createRoomsRepo(dialect: 'sqlite' | 'postgres') {
  // Every socket join reads this: built and compiled once (see `entering`).
  const enteringRow = prepared((q: Db, roomId: string, userId: string) =>
    q
      .selectFrom('rooms')
      .leftJoin('users as host', 'host.id', 'rooms.host_id')
      .leftJoin('room_participants as me', (join) =>
        join.onRef('me.room_id', '=', 'rooms.id').on('me.user_id', '=', userId),
      )
      .selectAll('rooms')
      .select(['host.display_name as host_name', 'me.status as my_status', 'me.role as my_role'])
      .where('rooms.id', '=', roomId),
  );
  return {
    async insertRoom(q: Q, row: RoomsTable): Promise<void> {
      await q.insertInto('rooms').values(row).execute();
    },
    /**
     * Reads a room; inside a transaction on PostgreSQL it also locks the row, so joins
     * and admissions to one room are serialized (SQLite serializes all writers anyway).
     */
    async findRoom(
      q: Q,
      id: string,
      opts: { lock?: boolean } = {},
    ): Promise<RoomsTable | undefined> {
      let query = q.selectFrom('rooms').selectAll().where('id', '=', id);
      if (opts.lock && dialect === 'postgres') query = query.forUpdate();
      return query.executeTakeFirst();
    },
    /**
     * Open meeting rooms `hostId` hosts (the open-rooms quota). Inside a transaction on
     * PostgreSQL the host's user row is locked first, so one host's concurrent creations
     * count one after another (SQLite serializes all writers anyway).
     */
    async openHostedCount(q: Q, hostId: string, opts: { lock?: boolean } = {}): Promise<number> {
      if (opts.lock && dialect === 'postgres') {
        await q.selectFrom('users').select('id').where('id', '=', hostId).forUpdate().execute();
      }
      const r = await q
        .selectFrom('rooms')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('host_id', '=', hostId)
        .where('status', '=', 'open')
        .where('kind', '=', 'meeting')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async findRoomByCode(q: Q, code: string): Promise<RoomsTable | undefined> {
      return q.selectFrom('rooms').selectAll().where('code', '=', code).executeTakeFirst();
    },
    async updateRoom(q: Q, id: string, patch: Partial<RoomsTable>): Promise<void> {
      await q.updateTable('rooms').set(patch).where('id', '=', id).execute();
    },
    /** Closes an open room; false when it was already closed (so only one closer notifies). */
    async closeRoom(q: Q, id: string, at: string, reason: 'ended' | 'expired'): Promise<boolean> {
      const r = await q
        .updateTable('rooms')
        // empty_since stays: when everyone had left is history a direct call's reaper uses.
        // No meeting goes on in a closed room.
        .set({ status: 'closed', closed_at: at, close_reason: reason, meeting_started_at: null })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) return false;
      // Guests' networks only hold kicked guests back while the room is open: not kept after.
      await q
        .updateTable('room_participants')
        .set({ client_key: null })
        .where('room_id', '=', id)
        .where('client_key', 'is not', null)
        .execute();
      return true;
    },
    /**
     * Open rooms left empty since before `before` that close for it: instant meetings and
     * direct calls' rooms. Other meetings stay until their host ends them; the appointments
     * upkeep owns its rooms' ends (grace, window close, completion).
     */
    async roomsEmptySince(q: Q, before: string): Promise<string[]> {
      const rows = await q
        .selectFrom('rooms')
        .select('id')
        .where('status', '=', 'open')
        .where((eb) =>
          eb.or([
            eb('kind', '=', 'direct'),
            eb.and([eb('kind', '=', 'meeting'), eb('instant', '=', 1)]),
          ]),
        )
        .where('empty_since', 'is not', null)
        .where('empty_since', '<', before)
        .execute();
      return rows.map((r) => r.id);
    },
    /** Marks an open room empty from `at` (a closed room keeps its null); its meeting is over. */
    async markEmpty(q: Q, id: string, at: string): Promise<void> {
      await q
        .updateTable('rooms')
        .set({ empty_since: at, meeting_started_at: null })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .execute();
    },
    /**
     * Open rooms whose call was occupied when last recorded (`empty_since` null): after
     * a crash nobody may be left in them, and nothing would ever mark them empty.
     * Uses the (status, empty_since) index.
     */
    async unattendedRooms(q: Q): Promise<string[]> {
      const rows = await q
        .selectFrom('rooms')
        .select('id')
        .where('status', '=', 'open')
        .where('empty_since', 'is', null)
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    },
    /**
     * Approved participants of open rooms whose row last changed before `takenBefore`.
     * Driven from the open rooms (few, by the status index) into the participants'
     * primary key (room_id first), so the approved rows that closed rooms keep for ever
     * are never scanned.
     */
    async heldSeats(q: Q, takenBefore: string): Promise<{ roomId: string; userId: string }[]> {
      return q
        .selectFrom('rooms')
        .innerJoin('room_participants', 'room_participants.room_id', 'rooms.id')
        .select(['rooms.id as roomId', 'room_participants.user_id as userId'])
        .where('rooms.status', '=', 'open')
        .where('room_participants.status', '=', 'approved')
        .where('room_participants.updated_at', '<', takenBefore)
        .orderBy('rooms.id')
        .orderBy('room_participants.user_id')
        .execute();
    },
    /** Whether the user is admitted to, or waiting in the lobby of, some open room. */
    async hasStanding(q: Q, userId: string): Promise<boolean> {
      const row = await q
        .selectFrom('room_participants')
        .innerJoin('rooms', 'rooms.id', 'room_participants.room_id')
        .select('rooms.id')
        .where('room_participants.user_id', '=', userId)
        .where('room_participants.status', 'in', ['approved', 'pending'])
        .where('rooms.status', '=', 'open')
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    /** Meetings only: a direct call's room lives in the call history, not the dashboard. */
    async listForUser(q: Q, userId: string): Promise<RoomsTable[]> {
      return q
        .selectFrom('rooms')
        .selectAll('rooms')
        .where('rooms.kind', '=', 'meeting')
        .where((eb) =>
          eb.or([
            eb('rooms.host_id', '=', userId),
            eb.exists(
              eb
                .selectFrom('room_participants')
                .select('room_participants.room_id')
                .whereRef('room_participants.room_id', '=', 'rooms.id')
                .where('room_participants.user_id', '=', userId)
                .where('room_participants.status', 'in', ['approved', 'left']),
            ),
          ]),
        )
        .orderBy('rooms.created_at', 'desc')
        .limit(100)
        .execute();
    },
    async listPublicOpen(q: Q): Promise<RoomsTable[]> {
      return q
        .selectFrom('rooms')
        .selectAll()
        .where('status', '=', 'open')
        .where('visibility', '=', 'public')
        .where('kind', '=', 'meeting')
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute();
    },
    /** Status and emptiness of some rooms (the calls reaper's view of direct rooms). */
    async occupancy(
      q: Q,
      ids: string[],
    ): Promise<Pick<RoomsTable, 'id' | 'status' | 'empty_since' | 'closed_at'>[]> {
      if (ids.length === 0) return [];
      return q
        .selectFrom('rooms')
        .select(['id', 'status', 'empty_since', 'closed_at'])
        .where('id', 'in', ids)
        .execute();
    },
    /**
     * What a socket join needs in one read: the room, its host's name and the user's
     * seat (status and role; undefined without one).
     */
    async entering(
      q: Q,
      roomId: string,
      userId: string,
    ): Promise<
      | {
          room: RoomsTable;
          hostName: string;
          me: Pick<RoomParticipantsTable, 'status' | 'role'> | undefined;
        }
      | undefined
    > {
      const row = (await enteringRow(q, roomId, userId)).rows[0];
      if (!row) return undefined;
      const { host_name, my_status, my_role, ...room } = row;
      return {
        room,
        hostName: host_name ?? '',
        me: my_status && my_role ? { status: my_status, role: my_role } : undefined,
      };
    },
    async hostName(q: Q, hostId: string): Promise<string> {
      const r = await q
        .selectFrom('users')
        .select('display_name')
        .where('id', '=', hostId)
        .executeTakeFirst();
      return r?.display_name ?? '';
    },

    async findParticipant(
      q: Q,
      roomId: string,
      userId: string,
    ): Promise<ParticipantRow | undefined> {
      return q
        .selectFrom('room_participants')
        .innerJoin('users', 'users.id', 'room_participants.user_id')
        .selectAll('room_participants')
        .select(['users.display_name', 'users.is_guest'])
        .where('room_participants.room_id', '=', roomId)
        .where('room_participants.user_id', '=', userId)
        .executeTakeFirst();
    },
    async myParticipations(
      q: Q,
      userId: string,
      roomIds: string[],
    ): Promise<RoomParticipantsTable[]> {
      if (roomIds.length === 0) return [];
      return q
        .selectFrom('room_participants')
        .selectAll()
        .where('user_id', '=', userId)
        .where('room_id', 'in', roomIds)
        .execute();
    },
    async upsertParticipant(q: Q, row: NewParticipant): Promise<void> {
      await q
        .insertInto('room_participants')
        .values({ ...row, client_key: row.client_key ?? null })
        .onConflict((oc) =>
          oc.columns(['room_id', 'user_id']).doUpdateSet({
            status: row.status,
            role: row.role,
            updated_at: row.updated_at,
            decided_by: row.decided_by,
            requested_at: row.requested_at,
            invite_id: row.invite_id,
            client_key: row.client_key ?? null,
          }),
        )
        .execute();
    },
    /**
     * Moves a participant between statuses only if they are in one of `from`. Returns
     * false when another request changed them first: this is what makes two hosts
     * admitting one person at once produce a single admission.
     */
    async transition(
      q: Q,
      roomId: string,
      userId: string,
      from: RoomParticipantsTable['status'][],
      set: Partial<
        Pick<
          RoomParticipantsTable,
          | 'status'
          | 'role'
          | 'decided_by'
          | 'updated_at'
          | 'requested_at'
          | 'invite_id'
          | 'client_key'
        >
      >,
    ): Promise<boolean> {
      const r = await q
        .updateTable('room_participants')
        .set(set)
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .where('status', 'in', from)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    /** Whether a guest kicked from the room came from the network `clientKey`. */
    async kickedGuestFrom(q: Q, roomId: string, clientKey: string): Promise<boolean> {
      const row = await q
        .selectFrom('room_participants')
        .select('user_id')
        .where('room_id', '=', roomId)
        .where('status', '=', 'kicked')
        .where('client_key', '=', clientKey)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    /** Withdraws a knock; only a `pending` row goes, so a decision that won is kept. */
    async deletePending(q: Q, roomId: string, userId: string): Promise<boolean> {
      const r = await q
        .deleteFrom('room_participants')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async countApproved(q: Q, roomId: string): Promise<number> {
      const r = await q
        .selectFrom('room_participants')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('room_id', '=', roomId)
        .where('status', '=', 'approved')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async pending(q: Q, roomId: string): Promise<ParticipantRow[]> {
      return q
        .selectFrom('room_participants')
        .innerJoin('users', 'users.id', 'room_participants.user_id')
        .selectAll('room_participants')
        .select(['users.display_name', 'users.is_guest'])
        .where('room_participants.room_id', '=', roomId)
        .where('room_participants.status', '=', 'pending')
        .orderBy('room_participants.requested_at')
        .execute();
    },
    /** Hosts and co-hosts (approved or not currently connected) to notify about the lobby. */
    async moderators(q: Q, roomId: string): Promise<string[]> {
      const rows = await q
        .selectFrom('room_participants')
        .select('user_id')
        .where('room_id', '=', roomId)
        .where('role', 'in', ['host', 'cohost'])
        .where('status', 'in', ['approved', 'left'])
        .execute();
      return rows.map((r) => r.user_id);
    },
    async waitingUsers(q: Q, roomId: string): Promise<string[]> {
      const rows = await q
        .selectFrom('room_participants')
        .select('user_id')
        .where('room_id', '=', roomId)
        .where('status', '=', 'pending')
        .execute();
      return rows.map((r) => r.user_id);
    },

    async insertInvite(q: Q, row: RoomInvitesTable): Promise<void> {
      await q.insertInto('room_invites').values(row).execute();
    },
    async findInvite(q: Q, id: string): Promise<RoomInvitesTable | undefined> {
      return q.selectFrom('room_invites').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** A room's invites with their authors' names, newest first (room_invites_room_created_idx). */
    async listInvites(q: Q, roomId: string): Promise<InviteRow[]> {
      return q
        .selectFrom('room_invites')
        .innerJoin('users', 'users.id', 'room_invites.created_by')
        .selectAll('room_invites')
        .select('users.display_name as created_by_name')
        .where('room_invites.room_id', '=', roomId)
        .orderBy('room_invites.created_at', 'desc')
        .orderBy('room_invites.id')
        .limit(200)
        .execute();
    },
    /**
     * Revokes an invite of `roomId` (a code of another room is no match): 'revoked' now,
     * 'already' revoked before (revoking twice is no error), 'none' when no such invite.
     */
    async revokeInvite(
      q: Q,
      roomId: string,
      id: string,
      at: string,
    ): Promise<'revoked' | 'already' | 'none'> {
      const r = await q
        .updateTable('room_invites')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('room_id', '=', roomId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (r.numUpdatedRows > 0n) return 'revoked';
      const row = await q
        .selectFrom('room_invites')
        .select('id')
        .where('id', '=', id)
        .where('room_id', '=', roomId)
        .executeTakeFirst();
      return row ? 'already' : 'none';
    },
    /** Who waits in the room's lobby having come with this invite. */
    async pendingByInvite(q: Q, roomId: string, inviteId: string): Promise<string[]> {
      const rows = await q
        .selectFrom('room_participants')
        .select('user_id')
        .where('room_id', '=', roomId)
        .where('status', '=', 'pending')
        .where('invite_id', '=', inviteId)
        .orderBy('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    },
    /**
     * Consumes one use only if the invite still works at `at` (not revoked, not expired, a
     * use left), in one conditional statement: concurrent accepts of a one-use link
     * consume it once, and an accept racing a revoke loses to it. False when it did not.
     */
    async consumeInviteUse(q: Q, id: string, at: string): Promise<boolean> {
      const r = await q
        .updateTable('room_invites')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    async activity(
      q: Q,
      a: {
        roomId: string;
        kind: RoomActivityKind;
        at: string;
        userId?: string | null;
        actorId?: string | null;
        details?: unknown;
      },
    ): Promise<void> {
      await q
        .insertInto('room_activity')
        .values({
          id: randomUUID(),
          room_id: a.roomId,
          kind: a.kind,
          user_id: a.userId ?? null,
          actor_id: a.actorId ?? null,
          at: a.at,
          details: a.details === undefined ? null : JSON.stringify(a.details),
        })
        .execute();
    },
  };
}
export type RoomsRepo = ReturnType<typeof createRoomsRepo>;
