import type { ChatSendMessage, ClientChatTypingMessage, ServerMessageOf } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';
import { toRoomEchoingRef } from './reply.js';

/**
 * `chat.send`: only from a connection in the room's call; the chat module checks the
 * room's chat switch and the sender's rate and stores it. Everyone in the room gets
 * `chat.message`, the sender's copy with its `ref`.
 */
export async function handleChatSend(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: ChatSendMessage,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  const stored = await ctx.deps.chat.send(state.roomId, state.user, msg.text);
  // Stored means accepted: it goes out even if the sender was removed meanwhile, so the
  // room and the history never disagree.
  const notice: ServerMessageOf<'chat.message'> = { type: 'chat.message', ...stored };
  await toRoomEchoingRef(ctx, conn, state.roomId, notice, msg.ref);
}

/** `chat.typing`: to the others in the room, at most once per user every 2 s; no reply. */
export async function handleChatTyping(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  _msg: ClientChatTypingMessage,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  const { user, roomId } = state;
  if (!(await ctx.deps.chat.typing(roomId, user))) return;
  if (!conn.isIn(state)) return;
  const notice: ServerMessageOf<'chat.typing'> = {
    type: 'chat.typing',
    roomId,
    userId: user.id,
    displayName: user.displayName,
  };
  await ctx.deps.live.bus.toRoom(roomId, notice, { exceptConnectionId: conn.id });
}
