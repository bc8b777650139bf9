import type {
  ChatMessage,
  MediaState,
  PlaybackState,
  RoomJoinMessage,
  RosterEntry,
  ServerMessageOf,
} from '@parley/protocol';
import type { DepartReason, SessionContext } from './context.js';
import { SignalingErrors } from './errors.js';
import type { Connection, InRoomState, ReadyState } from './session.js';

/**
 * Entering and leaving a room's call: the roster, the room's gate and the notices to the
 * others. Every change to one room's membership runs under that room's lock, so the
 * gate's "may enter? is it full?" check and the roster write are one step here, and
 * `occupied`/`emptied` are called in the order the roster changed.
 */

export async function joinRoom(
  ctx: SessionContext,
  conn: Connection,
  from: ReadyState | InRoomState,
  msg: RoomJoinMessage,
): Promise<void> {
  let ready: ReadyState;
  if (from.kind === 'in-room') {
    if (from.roomId === msg.roomId) throw SignalingErrors.alreadyInRoom();
    // One room per connection: joining another leaves this one first, like room.leave.
    ready = { kind: 'ready', user: from.user };
    ctx.setState(conn, ready);
    await departRoom(ctx, conn, from, 'left');
    if (!conn.isIn(ready)) return;
  } else {
    ready = from;
  }
  const { user } = ready;
  const { roomId } = msg;

  await ctx.locks.run(roomId, async () => {
    const entered = await ctx.deps.gate.enter(roomId, user);
    if (!conn.isIn(ready)) return; // closed while the gate was deciding

    const entry: RosterEntry = {
      connectionId: conn.id,
      userId: user.id,
      displayName: user.displayName,
      isGuest: user.isGuest,
      role: entered.role,
      media: initialMedia(msg.media),
      joinedAt: ctx.deps.clock.now().toISOString(),
    };
    const inRoom: InRoomState = { kind: 'in-room', user, roomId };
    // From here the room's fan-out reaches this socket, held until room.joined is out.
    conn.hold();
    ctx.setState(conn, inRoom);
    let everyone: RosterEntry[];
    let chat: ChatMessage[];
    let playback: PlaybackState;
    try {
      const size = await ctx.deps.roster.add(roomId, entry);
      ctx.grace.cancel(roomId, user.id);
      if (size === 1) await gateCall(ctx, 'occupied', () => ctx.deps.gate.occupied(roomId));
      everyone = await ctx.deps.roster.list(roomId);
      // Read after the hold began: a message published meanwhile is held and may repeat
      // one in the tail (clients dedupe by id), but none falls between the two.
      [chat, playback] = await Promise.all([
        ctx.deps.chat.recent(roomId),
        ctx.deps.playback.current(roomId),
      ]);
    } catch (err) {
      // The live store failed: the connection is not in the call, whatever it half did.
      if (conn.isIn(inRoom)) {
        conn.release();
        ctx.setState(conn, ready);
        await ctx.deps.roster.remove(roomId, conn.id).catch(() => undefined);
      }
      throw err;
    }
    if (!conn.isIn(inRoom)) {
      conn.release();
      return; // kicked or closed meanwhile; its cleanup removes the entry
    }

    ctx.send(conn, {
      type: 'room.joined',
      ...(msg.ref !== undefined ? { ref: msg.ref } : {}),
      roomId,
      room: entered.room,
      self: { connectionId: conn.id, userId: user.id, role: entered.role },
      participants: everyone.filter((e) => e.connectionId !== conn.id),
      lobby: entered.lobby ?? [],
      chat,
      playback,
      serverTime: ctx.deps.clock.now().getTime(),
    });
    ctx.releaseHeld(conn);
    const joined: ServerMessageOf<'participant.joined'> = {
      type: 'participant.joined',
      roomId,
      participant: entry,
    };
    await ctx.deps.bus.toRoom(roomId, joined, { exceptConnectionId: conn.id });
  });
}

/**
 * Takes a connection's entry out of the room and tells the others. The caller has
 * already moved the connection out of `in-room`; `state` is the one it was in.
 */
export async function departRoom(
  ctx: SessionContext,
  conn: Connection,
  state: InRoomState,
  reason: DepartReason,
): Promise<void> {
  const { roomId, user } = state;
  await ctx.locks.run(roomId, async () => {
    await ctx.deps.roster.remove(roomId, conn.id);
    // The room is over for everyone; the hub clears its roster once.
    if (reason === 'room-closed') return;

    const left: ServerMessageOf<'participant.left'> = {
      type: 'participant.left',
      roomId,
      connectionId: conn.id,
      userId: user.id,
      reason: reason === 'shutdown' ? 'disconnected' : reason,
    };
    await ctx.deps.bus.toRoom(roomId, left, { exceptConnectionId: conn.id });

    const rest = await ctx.deps.roster.list(roomId);
    if (rest.length === 0) await gateCall(ctx, 'emptied', () => ctx.deps.gate.emptied(roomId));
    // Another tab of the same user is still in the call: the seat is theirs either way.
    if (rest.some((e) => e.userId === user.id)) return;
    switch (reason) {
      case 'left':
        await gateCall(ctx, 'leave', () => ctx.deps.gate.leave(roomId, user.id));
        return;
      case 'disconnected':
      case 'timeout':
        ctx.grace.start(roomId, user.id);
        return;
      case 'kicked':
        // The kick already changed the seat; a pending grace must not touch it again.
        ctx.grace.cancel(roomId, user.id);
        return;
      case 'shutdown':
        // The seat stays; the user reconnects to a restarted or another process.
        return;
    }
  });
}

/** The grace for (room, user) ran out: release the seat unless they came back. */
export async function abandonIfGone(
  ctx: SessionContext,
  roomId: string,
  userId: string,
): Promise<void> {
  await ctx.locks.run(roomId, async () => {
    const entries = await ctx.deps.roster.list(roomId);
    if (entries.some((e) => e.userId === userId)) return;
    await gateCall(ctx, 'abandon', () => ctx.deps.gate.abandon(roomId, userId));
  });
}

function initialMedia(media: RoomJoinMessage['media']): MediaState {
  return {
    audio: media?.audio ?? false,
    video: media?.video ?? false,
    screen: media?.screen ?? false,
    handRaised: media?.handRaised ?? false,
  };
}

/**
 * Bookkeeping calls into the rooms module. A failure is logged and does not undo what
 * already happened on the socket (the person has left either way).
 */
async function gateCall(ctx: SessionContext, what: string, call: () => Promise<void>) {
  try {
    await call();
  } catch (err) {
    ctx.log.error({ err, gateCall: what }, 'room gate call failed');
  }
}
