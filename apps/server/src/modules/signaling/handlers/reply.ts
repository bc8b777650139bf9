import type { ServerMessageOf } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import type { Connection } from '../session.js';

/**
 * The result of a room-wide action goes to the whole room, the sender included; the
 * sender's own copy carries the `ref` of its request, so it knows which one is its
 * answer. Without a ref it is one message serialized once for everyone.
 */
export async function toRoomEchoingRef(
  ctx: SessionContext,
  conn: Connection,
  roomId: string,
  message: ServerMessageOf<'chat.message' | 'playback.state' | 'reaction'>,
  ref: string | undefined,
): Promise<void> {
  const { bus } = ctx.deps.live;
  if (ref === undefined) return bus.toRoom(roomId, message);
  await bus.toRoom(roomId, message, { exceptConnectionId: conn.id });
  await bus.toConnection(conn.id, { ...message, ref });
}
