import { CALL_LIMITS } from '@parley/protocol';
import { createUlidFactory } from '../../platform/ulid.js';
import type { RoomCalls } from '../signaling/index.js';
import type { CallsContext } from './context.js';

/**
 * What the socket layer reports about a call's room: both parties connected (the start
 * of the measured duration) and each relayed negotiation message (its kind, for the log).
 */
export function createRoomCalls(ctx: CallsContext): RoomCalls {
  const { db, repo } = ctx;
  // Time-ordered and monotonic in this process: the log's order is (at, id).
  const signalId = createUlidFactory(ctx.clock);

  return {
    async entered(roomId, users) {
      if (users >= 2) await repo.markConnected(db, roomId, ctx.now());
    },
    async signalled(roomId, fromUserId, kind) {
      const at = ctx.clock.now();
      await repo.logSignal(
        db,
        roomId,
        { id: signalId(), from_user_id: fromUserId, kind, at: at.toISOString() },
        CALL_LIMITS.maxSignalsPerCall,
      );
    },
  };
}
