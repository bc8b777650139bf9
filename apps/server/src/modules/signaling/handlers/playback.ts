import type { PlaybackCommand, ServerMessageOf } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';
import { toRoomEchoingRef } from './reply.js';

/**
 * `playback.set|play|pause|seek|rate`: the playback module checks the sender is host or
 * co-host and computes the new state; the whole room gets `playback.state` with the
 * server time, so each client can place the video with `currentPosition`.
 */
export async function handlePlayback(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: PlaybackCommand,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  const next = await ctx.deps.playback.apply(state.roomId, state.user.id, msg);
  const notice: ServerMessageOf<'playback.state'> = {
    type: 'playback.state',
    roomId: state.roomId,
    state: next,
    serverTime: ctx.deps.clock.now().getTime(),
    by: state.user.id,
  };
  await toRoomEchoingRef(ctx, conn, state.roomId, notice, msg.ref);
}
