import type { JoinBlockReason, User } from '@parley/protocol';
import type { AppointmentsContext } from './context.js';
import { countRefusedJoin, joinAnswer } from './joining.js';

/**
 * The rooms module's question at REST look-up and join and at socket `room.join`: may
 * `user` be in the appointment room `roomId` now? Null yes, else the same reason
 * `can-join` gives. A room no appointment owns lets nobody in. A refused `enter` (a real
 * join, not a look) is counted by reason.
 */
export function createRoomAccess(
  ctx: AppointmentsContext,
): (roomId: string, user: User, intent: 'look' | 'enter') => Promise<JoinBlockReason | null> {
  return async (roomId, user, intent) => {
    const row = await ctx.repo.findByRoom(ctx.db, roomId);
    const reason = row ? joinAnswer(ctx, row, user).reason : 'NOT_A_PARTICIPANT';
    if (reason !== null && intent === 'enter') countRefusedJoin(ctx, reason);
    return reason;
  };
}
