import type { MediaUpdateMessage, RosterEntry, ServerMessageOf } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';

/**
 * `media.update`: store the sender's own media state and tell the room, sender included.
 * Under the room's lock, like a moderator's mute or lowered hand (rooms service): the
 * read and the write of the entry never interleave with theirs.
 */
export async function handleMediaUpdate(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: MediaUpdateMessage,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  const { roster, locks } = ctx.deps.live;
  await locks.run(state.roomId, async () => {
    const current = await roster.get(state.roomId, conn.id);
    if (!current || !conn.isIn(state)) return;
    const media = {
      audio: msg.audio,
      video: msg.video,
      screen: msg.screen,
      handRaised: msg.handRaised ?? current.media.handRaised,
    };
    const handRaisedAt = raisedAt(current, media.handRaised, ctx.deps.clock.now());
    const updated = await roster.update(state.roomId, conn.id, { media, handRaisedAt });
    if (!updated || !conn.isIn(state)) return;
    const notice: ServerMessageOf<'participant.updated'> = {
      type: 'participant.updated',
      roomId: state.roomId,
      participant: updated,
    };
    await ctx.deps.live.bus.toRoom(state.roomId, notice);
  });
}

/**
 * The hand queue's order is the server's clock: a hand that goes up gets `now`, one that
 * stays up keeps its place (repeating `handRaised: true` does not move it back), one that
 * goes down leaves the queue.
 */
function raisedAt(current: RosterEntry, handRaised: boolean, now: Date): string | null {
  if (!handRaised) return null;
  if (current.media.handRaised && current.handRaisedAt) return current.handRaisedAt;
  return now.toISOString();
}
