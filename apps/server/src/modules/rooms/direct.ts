import { randomUUID } from 'node:crypto';
import { ROOM_LIMITS } from '@parley/protocol';
import type { Db } from '../../platform/db/database.js';
import type { RoomsTable } from '../../platform/db/schema.js';
import type { RoomsRepo, Trx } from './repo.js';

// The private two-person rooms of direct calls (kind `direct`). The calls module opens
// one inside its accept transaction and closes it when the call ends; the rooms service
// keeps everyone else out (see `isDirect` uses in service.ts).

export type DirectRoomRequest = {
  callerId: string;
  calleeId: string;
  /** Shown in the call page; cut to the room-name limit. */
  name: string;
  /** The accept time: a room nobody enters counts as empty from its creation. */
  at: string;
};

export type DirectRoomOccupancy = {
  roomId: string;
  status: 'open' | 'closed';
  /** Since when nobody has been connected (null while someone is, and once closed). */
  emptySince: string | null;
  closedAt: string | null;
};

export const isDirect = (room: Pick<RoomsTable, 'kind'>): boolean => room.kind === 'direct';

export function createDirectRooms(deps: { db: Db; repo: RoomsRepo; newCode: () => string }) {
  const { db, repo } = deps;
  return {
    /**
     * Creates the room in `trx` with both parties seated (approved, neither a host, so
     * nobody can moderate it), locked and capped at two. A code collision throws a unique
     * violation: the caller retries its whole transaction.
     */
    async open(trx: Trx, req: DirectRoomRequest): Promise<{ id: string; code: string }> {
      const row: RoomsTable = {
        id: randomUUID(),
        code: deps.newCode(),
        name: req.name.slice(0, ROOM_LIMITS.nameMaxLength),
        // A host id is required; rights come from the role, and both are participants.
        host_id: req.callerId,
        visibility: 'private',
        // Approval, so a join path that forgot the direct check would still seat nobody.
        entry: 'approval',
        password_hash: null,
        chat_enabled: 1,
        max_participants: 2,
        locked: 1,
        status: 'open',
        created_at: req.at,
        closed_at: null,
        close_reason: null,
        empty_since: req.at,
        kind: 'direct',
      };
      await repo.insertRoom(trx, row);
      for (const userId of [req.callerId, req.calleeId]) {
        await repo.upsertParticipant(trx, {
          room_id: row.id,
          user_id: userId,
          role: 'participant',
          status: 'approved',
          requested_at: req.at,
          updated_at: req.at,
          decided_by: req.callerId,
        });
      }
      await repo.activity(trx, {
        roomId: row.id,
        kind: 'created',
        userId: req.callerId,
        actorId: req.calleeId,
        at: req.at,
        details: { kind: 'direct' },
      });
      return { id: row.id, code: row.code };
    },

    async occupancy(roomIds: string[]): Promise<DirectRoomOccupancy[]> {
      return (await repo.occupancy(db, roomIds)).map((r) => ({
        roomId: r.id,
        status: r.status,
        emptySince: r.empty_since,
        closedAt: r.closed_at,
      }));
    },
  };
}
export type DirectRooms = ReturnType<typeof createDirectRooms>;
