import { REACTION_LIMITS } from '@parley/protocol';
import type { ReactionSendMessage, ServerMessageOf } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';
import { TokenBucket } from '../token-bucket.js';
import { toRoomEchoingRef } from './reply.js';

/**
 * `reaction.send`: an emoji floating over the sender's tile for everyone in the room,
 * the sender included (its copy echoes the `ref`). Only from a connection in a call, at
 * most REACTION_LIMITS per connection: past it, RATE_LIMITED and nothing is sent.
 * Nothing is stored: a reaction is gone once it has floated by.
 */
export async function handleReaction(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: ReactionSendMessage,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  const { timers } = ctx.deps;
  conn.reactions ??= new TokenBucket(REACTION_LIMITS.perSecond, REACTION_LIMITS.burst, () =>
    timers.monotonic(),
  );
  if (!conn.reactions.take()) throw SignalingErrors.tooManyReactions();
  const notice: ServerMessageOf<'reaction'> = {
    type: 'reaction',
    roomId: state.roomId,
    connectionId: conn.id,
    userId: state.user.id,
    emoji: msg.emoji,
  };
  await toRoomEchoingRef(ctx, conn, state.roomId, notice, msg.ref);
}
