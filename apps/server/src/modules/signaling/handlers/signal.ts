import type { CallSignalKind, ClientSignalMessage, ServerSignalMessage } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';

/**
 * `signal`: relayed only to another connection in the sender's room, with the sender
 * set from the connection, never from the payload (the strict schema already refused a
 * `from`). Handled in arrival order per connection, so an offer precedes its candidates.
 */
export async function handleSignal(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: ClientSignalMessage,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  if (msg.to === conn.id) throw SignalingErrors.targetNotFound();
  const target = await ctx.deps.live.roster.get(state.roomId, msg.to);
  if (!conn.isIn(state)) return;
  if (!target) throw SignalingErrors.targetNotFound();

  const from = { type: 'signal', from: conn.id, fromUserId: state.user.id } as const;
  const relayed: ServerSignalMessage =
    msg.description !== undefined
      ? { ...from, description: msg.description }
      : { ...from, candidate: msg.candidate };
  await ctx.deps.live.bus.toConnection(msg.to, relayed);
  // A direct call keeps the kind and time of each message (never its body) for its parties.
  if (state.direct) {
    try {
      await ctx.deps.calls.signalled(state.roomId, state.user.id, signalKind(msg));
    } catch (err) {
      ctx.log.warn({ err, roomId: state.roomId }, 'call signal log failed');
    }
  }
}

function signalKind(msg: ClientSignalMessage): CallSignalKind {
  if (msg.description !== undefined) return msg.description.type;
  return msg.candidate === null ? 'end-of-candidates' : 'candidate';
}
