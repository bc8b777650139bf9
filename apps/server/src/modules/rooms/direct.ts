import type { PersonalRooms } from './personal.js';
import { openPersonalRoom } from './personal.js';
import type { RoomsRepo, Trx } from './repo.js';

// The private two-person rooms of direct calls (kind `direct`, a personal room: see
// personal.ts). The calls module opens one inside its accept transaction and closes it
// when the call ends.

export type DirectRoomRequest = {
  callerId: string;
  calleeId: string;
  /** Shown in the call page; cut to the room-name limit. */
  name: string;
  /** The accept time: a room nobody enters counts as empty from its creation. */
  at: string;
};

export type { PersonalRoomOccupancy as DirectRoomOccupancy } from './personal.js';

/** Direct calls' rooms, for the calls module (its `CallRooms`, wired in app.ts). */
export function createDirectRooms(deps: {
  repo: RoomsRepo;
  newCode: () => string;
  close: PersonalRooms['appointment']['close'];
  occupancy: PersonalRooms['occupancy'];
}) {
  return {
    /** Opens the call's room in the accept transaction, both parties seated. */
    open(trx: Trx, req: DirectRoomRequest): Promise<{ id: string; code: string }> {
      return openPersonalRoom(trx, deps.repo, deps.newCode, {
        kind: 'direct',
        partyIds: [req.callerId, req.calleeId],
        name: req.name,
        at: req.at,
        // Just the two of them.
        maxParticipants: 2,
      });
    },
    close: deps.close,
    occupancy: deps.occupancy,
  };
}
export type DirectRooms = ReturnType<typeof createDirectRooms>;
