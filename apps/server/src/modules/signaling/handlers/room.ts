import type { RoomJoinMessage, RoomLeaveMessage } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import { departRoom, joinRoom } from '../membership.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';

/** `room.join`: the gate decides (approved, not full, open); membership does the rest. */
export function handleJoin(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: RoomJoinMessage,
): Promise<void> {
  return joinRoom(ctx, conn, state, msg);
}

/** `room.leave`: back to `ready`; the others hear `left`; the seat is given up. */
export async function handleLeave(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  _msg: RoomLeaveMessage,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  ctx.setState(conn, { kind: 'ready', user: state.user });
  await departRoom(ctx, conn, state, 'left');
}
