import type {
  ChatMessage,
  MediaState,
  PlaybackState,
  RoomJoinMessage,
  RosterEntry,
  ServerMessageOf,
} from '@parley/protocol';
import type { RosterCounts } from '../../platform/live/index.js';
import type { DepartReason, SessionContext } from './context.js';
import { SignalingErrors } from './errors.js';
import type { Connection, InRoomState, ReadyState } from './session.js';

/**
 * Entering and leaving a room's call: the roster, the room's gate and the notices to the
 * others. Every change to one room's membership runs under that room's live-state lock
 * (shared by every process), so the gate's "may enter? is it full?" check and the
 * roster write are one step, and `occupied`/`emptied` follow the roster's order.
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

  const { roster, locks, bus } = ctx.deps.live;
  await locks.run(roomId, async () => {
    const entered = await ctx.deps.gate.enter(roomId, user);
    if (!conn.isIn(ready)) return; // closed while the gate was deciding

    const joinedAt = ctx.deps.clock.now().toISOString();
    const media = initialMedia(msg.media);
    const entry: RosterEntry = {
      connectionId: conn.id,
      userId: user.id,
      displayName: user.displayName,
      isGuest: user.isGuest,
      role: entered.role,
      media,
      joinedAt,
      // A hand raised on arrival queues from the moment they came in.
      handRaisedAt: media.handRaised ? joinedAt : null,
    };
    const direct = entered.room.kind === 'direct';
    const appointment = entered.room.kind === 'appointment';
    const inRoom: InRoomState = {
      kind: 'in-room',
      user,
      roomId,
      ...(direct ? { direct: true as const } : {}),
      ...(appointment ? { appointment: true as const } : {}),
    };
    // From here the room's fan-out reaches this socket, held until room.joined is out.
    conn.hold();
    ctx.setState(conn, inRoom);
    let everyone: RosterEntry[];
    let chat: ChatMessage[];
    let playback: PlaybackState;
    let room = entered.room;
    try {
      const counts = await roster.add(roomId, entry, ctx.deps.processId);
      await ctx.grace.cancel(roomId, user.id);
      if (counts.connections === 1) {
        // The first one in starts the meeting clock; the summary read at the gate predates it.
        await gateCall(ctx, 'occupied', async () => {
          const { meetingStartedAt } = await ctx.deps.gate.occupied(roomId);
          room = { ...room, meetingStartedAt };
        });
      }
      everyone = await roster.list(roomId);
      const userIds = [...new Set(everyone.map((e) => e.userId))];
      if (direct) {
        await gateCall(ctx, 'call entered', () => ctx.deps.calls.entered(roomId, userIds.length));
      }
      const appointments = ctx.deps.appointments;
      if (appointment && appointments) {
        await gateCall(ctx, 'appointment entered', () =>
          appointments.entered(roomId, userIds, conn.origin),
        );
      }
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
        await roster.remove(roomId, conn.id).catch(() => undefined);
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
      room,
      self: { connectionId: conn.id, userId: user.id, role: entered.role },
      participants: everyone.filter((e) => e.connectionId !== conn.id),
      lobby: entered.lobby ?? [],
      chat,
      playback,
      serverTime: ctx.deps.clock.now().getTime(),
      spotlight: entered.spotlight,
    });
    ctx.releaseHeld(conn);
    const joined: ServerMessageOf<'participant.joined'> = {
      type: 'participant.joined',
      roomId,
      participant: entry,
    };
    await bus.toRoom(roomId, joined, { exceptConnectionId: conn.id });
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
  reason: Exclude<DepartReason, 'handover'>,
): Promise<void> {
  const { roomId, user } = state;
  await ctx.deps.live.locks.run(roomId, async () => {
    // Only our own entry: a connection handed over and resumed elsewhere now belongs to
    // the process that took it, and leaving here must not take it out of the call.
    const removed = await ctx.deps.live.roster.remove(roomId, conn.id, ctx.deps.processId);
    // The room is over for everyone; its roster is cleared on the room.closed event.
    if (reason === 'room-closed' || !removed) return;
    await afterDeparture(ctx, roomId, conn.id, user.id, reason, removed.counts, {
      appointment: state.appointment === true,
    });
  });
}

/**
 * A process stopped heartbeating and its entries were swept: to the others, those
 * people timed out; their seats get the reconnection grace (they may come back through
 * another process).
 */
export async function departSwept(
  ctx: SessionContext,
  roomId: string,
  entry: RosterEntry,
): Promise<void> {
  const { roster, locks } = ctx.deps.live;
  await locks.run(roomId, async () => {
    // Back already: a handed-over connection resumed on another process and rejoined
    // between the sweep and now. It never left, so nobody is told it did.
    if (await roster.get(roomId, entry.connectionId)) return;
    // Counted under the lock: a join or another sweep may have landed since the sweep.
    const counts: RosterCounts = {
      connections: (await roster.list(roomId)).length,
      userConnections: await roster.countUserConnections(roomId, entry.userId),
    };
    // The room's kind is not known here: appointments ignore a room that is not theirs.
    await afterDeparture(ctx, roomId, entry.connectionId, entry.userId, 'timeout', counts, {
      appointment: true,
    });
  });
}

/** The notices and seat bookkeeping after one entry left; runs under the room's lock. */
async function afterDeparture(
  ctx: SessionContext,
  roomId: string,
  connectionId: string,
  userId: string,
  reason: Exclude<DepartReason, 'room-closed' | 'handover'>,
  counts: RosterCounts,
  room: { appointment: boolean },
): Promise<void> {
  const left: ServerMessageOf<'participant.left'> = {
    type: 'participant.left',
    roomId,
    connectionId,
    userId,
    reason: reason === 'shutdown' ? 'disconnected' : reason,
  };
  await ctx.deps.live.bus.toRoom(roomId, left, { exceptConnectionId: connectionId });

  await gateCall(ctx, 'departed', () => ctx.deps.gate.departed(roomId, connectionId));
  if (counts.connections === 0) await gateCall(ctx, 'emptied', () => ctx.deps.gate.emptied(roomId));
  const appointments = ctx.deps.appointments;
  if (room.appointment && appointments) {
    // Who is left decides whether the session goes on: its parties, not any connection.
    await gateCall(ctx, 'appointment departed', async () => {
      const left = counts.connections === 0 ? [] : await ctx.deps.live.roster.list(roomId);
      await appointments.departed(roomId, [...new Set(left.map((e) => e.userId))]);
    });
  }
  // Another tab of the same user is still in the call: the seat is theirs either way.
  if (counts.userConnections > 0) return;
  switch (reason) {
    case 'left':
      await gateCall(ctx, 'leave', () => ctx.deps.gate.leave(roomId, userId));
      if (counts.connections > 0) await handOver(ctx, roomId, userId);
      return;
    case 'disconnected':
    case 'timeout':
      await ctx.grace.start(roomId, userId, ctx.deps.clock.now().getTime());
      return;
    case 'kicked':
      // The kick already changed the seat; a pending grace must not touch it again.
      await ctx.grace.cancel(roomId, userId);
      return;
    case 'shutdown':
      // This process is stopping and the user reconnects to another (or to it, restarted):
      // the seat gets the same grace as a dropped connection, held in the shared state.
      await ctx.grace.start(roomId, userId, ctx.deps.clock.now().getTime());
      return;
  }
}

/** The grace for (room, user) ran out: release the seat unless they came back. */
export async function abandonIfGone(
  ctx: SessionContext,
  roomId: string,
  userId: string,
): Promise<void> {
  await ctx.deps.live.locks.run(roomId, async () => {
    if ((await ctx.deps.live.roster.countUserConnections(roomId, userId)) > 0) return;
    await gateCall(ctx, 'abandon', () => ctx.deps.gate.abandon(roomId, userId));
    await handOver(ctx, roomId, userId);
  });
}

/**
 * `userId` is gone from the call for good: if they were its last moderator, someone who
 * stays takes over (the gate decides who, and whether at all). Under the room's lock.
 */
function handOver(ctx: SessionContext, roomId: string, userId: string): Promise<void> {
  return gateCall(ctx, 'hand over', () => ctx.deps.gate.handOver(roomId, userId));
}

/** The room closed (its sockets are closing): its roster and pending graces go. */
export async function forgetRoom(ctx: SessionContext, roomId: string): Promise<void> {
  await ctx.grace.cancelRoom(roomId);
  await ctx.deps.live.roster.clear(roomId);
}

/**
 * Repairs what a crash leaves in the database, where the roster cannot: a room marked
 * occupied (someone was in its call) with nobody in its call now is marked empty, so it
 * closes on schedule, and its seats held by people in no call get the reconnection
 * grace, so they are released unless their holders come back. Seats in rooms whose call
 * ended normally are left alone: their holders may simply not have entered yet.
 */
export async function reconcile(ctx: SessionContext): Promise<void> {
  const { roster, locks } = ctx.deps.live;
  const unattended = await ctx.deps.gate.unattendedRooms();
  if (unattended.length === 0) return;
  const now = ctx.deps.clock.now();
  const seats = await ctx.deps.gate.heldSeats(now);
  for (const roomId of unattended) {
    await locks.run(roomId, async () => {
      if ((await roster.list(roomId)).length > 0) return;
      await gateCall(ctx, 'emptied', () => ctx.deps.gate.emptied(roomId));
      for (const seat of seats) {
        if (seat.roomId !== roomId || (await ctx.grace.pending(roomId, seat.userId))) continue;
        await ctx.grace.start(roomId, seat.userId, now.getTime());
      }
    });
  }
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
