import type { MediaUpdateMessage, ServerMessageOf } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';

/** `media.update`: store the sender's own media state and tell the room, sender included. */
export async function handleMediaUpdate(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: MediaUpdateMessage,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  const { roster } = ctx.deps.live;
  const current = await roster.get(state.roomId, conn.id);
  if (!current || !conn.isIn(state)) return;
  const media = {
    audio: msg.audio,
    video: msg.video,
    screen: msg.screen,
    handRaised: msg.handRaised ?? current.media.handRaised,
  };
  const updated = await roster.update(state.roomId, conn.id, { media });
  if (!updated || !conn.isIn(state)) return;
  const notice: ServerMessageOf<'participant.updated'> = {
    type: 'participant.updated',
    roomId: state.roomId,
    participant: updated,
  };
  await ctx.deps.live.bus.toRoom(state.roomId, notice);
}
