import { randomBytes } from 'node:crypto';
import { CALL_LIMITS } from '@parley/protocol';
import type { RoomCalls } from '../signaling/index.js';
import type { CallsContext } from './context.js';

/**
 * What the socket layer reports about a call's room: both parties connected (the start
 * of the measured duration) and each relayed negotiation message (its kind, for the log).
 */
export function createRoomCalls(ctx: CallsContext): RoomCalls {
  const { db, repo } = ctx;
  // Ids sort in insertion order within a millisecond (the log's order is (at, id)),
  // which a fake clock that stands still makes the common case in tests.
  let seq = 0;
  const signalId = (at: Date) =>
    `${at.getTime().toString(36).padStart(9, '0')}-${(seq++ % 36 ** 8)
      .toString(36)
      .padStart(8, '0')}-${randomBytes(4).toString('hex')}`;

  return {
    async entered(roomId, users) {
      if (users >= 2) await repo.markConnected(db, roomId, ctx.now());
    },
    async signalled(roomId, fromUserId, kind) {
      const at = ctx.clock.now();
      await repo.logSignal(
        db,
        roomId,
        { id: signalId(at), from_user_id: fromUserId, kind, at: at.toISOString() },
        CALL_LIMITS.maxSignalsPerCall,
      );
    },
  };
}
