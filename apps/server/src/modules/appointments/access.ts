import type { JoinBlockReason, User } from '@parley/protocol';
import type { AppointmentsContext } from './context.js';
import { joinAnswer } from './joining.js';

/**
 * The rooms module's question at REST look-up and join and at socket `room.join`: may
 * `user` be in the appointment room `roomId` now? Null yes, else the same reason
 * `can-join` gives. A room no appointment owns lets nobody in.
 */
export function createRoomAccess(
  ctx: AppointmentsContext,
): (roomId: string, user: User) => Promise<JoinBlockReason | null> {
  return async (roomId, user) => {
    const row = await ctx.repo.findByRoom(ctx.db, roomId);
    if (!row) return 'NOT_A_PARTICIPANT';
    return joinAnswer(ctx, row, user).reason;
  };
}
