import type { AdminRoomStatus, CallState, RoomKind } from '@parley/protocol';
import type { Db } from '../../platform/db/database.js';
import { pastKeyset } from '../../platform/keyset-cursor.js';
import type { KeysetCursor } from '../../platform/keyset-cursor.js';
import type { CallsTable, RoomParticipantsTable, RoomsTable } from '../../platform/db/schema.js';

export type AdminRoomRow = RoomsTable & { host_name: string | null };
export type AdminSeatRow = RoomParticipantsTable & { display_name: string; is_guest: number };
export type AdminCallRow = CallsTable & { caller_name: string | null; callee_name: string | null };

/**
 * Read-only SQL behind the admin lists. Rooms and calls belong to their modules; admins
 * only look at them here (closing a room goes through the rooms service).
 */
export function createAdminRepo(db: Db) {
  const rooms = () =>
    db
      .selectFrom('rooms')
      .leftJoin('users', 'users.id', 'rooms.host_id')
      .selectAll('rooms')
      .select('users.display_name as host_name');

  return {
    /**
     * Newest first. `active`: open rooms marked occupied (`empty_since` null, kept by the
     * socket layer); the caller checks the live roster, which has the last word.
     */
    async rooms(q: {
      status: AdminRoomStatus;
      kind?: RoomKind | undefined;
      after?: KeysetCursor | undefined;
      limit: number;
    }): Promise<AdminRoomRow[]> {
      let select = rooms().where('rooms.status', '=', q.status === 'closed' ? 'closed' : 'open');
      if (q.status === 'active') select = select.where('rooms.empty_since', 'is', null);
      if (q.kind) select = select.where('rooms.kind', '=', q.kind);
      if (q.after) select = select.where(pastKeyset(['rooms.created_at', 'rooms.id'], q.after));
      return select
        .orderBy('rooms.created_at', 'desc')
        .orderBy('rooms.id', 'desc')
        .limit(q.limit)
        .execute();
    },

    async room(id: string): Promise<AdminRoomRow | undefined> {
      return rooms().where('rooms.id', '=', id).executeTakeFirst();
    },

    /** Everyone with a record in the room (host, admitted, waiting, denied, kicked, left). */
    async seats(roomId: string): Promise<AdminSeatRow[]> {
      return db
        .selectFrom('room_participants')
        .innerJoin('users', 'users.id', 'room_participants.user_id')
        .selectAll('room_participants')
        .select(['users.display_name', 'users.is_guest'])
        .where('room_participants.room_id', '=', roomId)
        .orderBy('room_participants.requested_at')
        .orderBy('room_participants.user_id')
        .execute();
    },

    /** Every direct call, newest first, with both parties' names. */
    async calls(q: {
      state?: CallState | undefined;
      after?: KeysetCursor | undefined;
      limit: number;
    }): Promise<AdminCallRow[]> {
      let select = db
        .selectFrom('calls')
        .leftJoin('users as caller', 'caller.id', 'calls.caller_id')
        .leftJoin('users as callee', 'callee.id', 'calls.callee_id')
        .selectAll('calls')
        .select(['caller.display_name as caller_name', 'callee.display_name as callee_name']);
      if (q.state) select = select.where('calls.state', '=', q.state);
      if (q.after) select = select.where(pastKeyset(['calls.created_at', 'calls.id'], q.after));
      return select
        .orderBy('calls.created_at', 'desc')
        .orderBy('calls.id', 'desc')
        .limit(q.limit)
        .execute();
    },
  };
}
export type AdminRepo = ReturnType<typeof createAdminRepo>;
