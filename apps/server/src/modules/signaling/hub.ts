import { randomToken } from '../../platform/random-token.js';
import { ErrorCode, WS_LIMITS, WsCloseCode } from '@parley/protocol';
import type { ServerMessage } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { Delivery, Envelope, SocketEffect } from '../../platform/live/index.js';
import { addressKey, countAgain, givePlacesBack, takePlace } from './caps.js';
import type { CloseRequest, DepartReason, SessionContext } from './context.js';
import type { ConnectionCaps, SignalingDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { Grace } from './grace.js';
import { HANDOVER_WINDOW_MS, Handovers } from './handover.js';
import { departRoom, forgetRoom } from './membership.js';
import { parsePlainJson } from '../../platform/plain-json.js';
import { presenceDown } from './presence.js';
import { watchRevocations } from './revocation.js';
import { WriteCoalescer } from './coalesce.js';
import { Connection, assertNever } from './session.js';
import type { SessionState } from './session.js';
import { takeToken } from './token-bucket.js';
import type { BucketRate } from './token-bucket.js';
import { startUpkeep } from './upkeep.js';

/** Where the hub's listeners, shared by every socket, find the socket's connection. */
const CONNECTION = Symbol('connection');

/**
 * `ws`'s socket with a slot for its connection (routes.ts has `ws` make these): declared,
 * the slot is part of the object; added later, it would cost a property array per socket.
 */
export class HubSocket extends WebSocket {
  [CONNECTION]: Connection | undefined = undefined;
}

type Tagged = WebSocket & { [CONNECTION]?: Connection };

export type Hub = {
  /** A socket that passed the upgrade checks; `userAgent` of its upgrade request (audit log). */
  accept(socket: WebSocket, ip: string, userAgent?: string | null): void;
  /** Graceful shutdown: `server.draining`, close 1012, stop timers, leave the bus. */
  close(): Promise<void>;
  /** Open sockets (for tests and metrics). */
  size(): number;
  /** Shutting down: new sockets are refused at the upgrade, so a balancer tries another. */
  draining(): boolean;
};

/** This process's open sockets, for the parts of signaling that act on them by user. */
export interface LocalSockets {
  ofUser(userId: string): Connection[];
  all(): Iterable<Connection>;
  /**
   * The live state this process's calls stand on was lost (Redis restarted empty, or the
   * others swept this process): close the affected sockets with 1012 so their clients
   * reconnect and rejoin, which rebuilds rosters everywhere and replays the chat tail.
   */
  resync(why: string, which: 'all' | 'in-room'): void;
  /** This process was swept from the socket counts: every open socket is counted again. */
  recount(): void;
}

/**
 * Every socket of this process: who is who, the fan-out from the bus to local sockets,
 * the heartbeat, and the effects that must happen where a socket lives (a kick closes
 * that user's sockets in that room, a closed room closes its sockets). Handlers get a
 * `SessionContext`; only this file writes to sockets. Time comes from `deps.timers`.
 */
export function createHub(deps: SignalingDeps, log: FastifyBaseLogger): Hub {
  const { timers } = deps;
  const caps: ConnectionCaps = {
    maxConnectionsPerUser: deps.limits?.maxConnectionsPerUser ?? WS_LIMITS.maxConnectionsPerUser,
    maxConnectionsPerIp: deps.limits?.maxConnectionsPerIp ?? WS_LIMITS.maxConnectionsPerIp,
  };
  /** One clock function for every connection, not a closure per socket. */
  const monotonic = () => timers.monotonic();
  const rate: BucketRate = {
    perSecond: deps.limits?.messagesPerSecond ?? WS_LIMITS.messagesPerSecond,
    burst: deps.limits?.messageBurst ?? WS_LIMITS.burst,
    now: monotonic,
  };

  /** This turn's writes to one socket leave together. */
  const coalescer = new WriteCoalescer();
  /** Every open socket, from upgrade to its close event. */
  const connections = new Map<string, Connection>();
  /**
   * Authenticated, not closing. A user's only socket is kept as it is, a Set made for a
   * second one: most users have one, and a Set costs ~150 bytes per socket.
   */
  const byUser = new Map<string, Connection | Set<Connection>>();
  /** In a room's call, not closing. */
  const byRoom = new Map<string, Set<Connection>>();
  /** Sockets already gone whose departure (roster, notices, grace) is still running. */
  const departing = new Set<Promise<void>>();
  let drain: Promise<void> | undefined;
  /** Recent revocations, for tokens whose check overlapped one (see revokedSince). */
  const revocations: { mark: number; userId: string; sessionId: string | undefined }[] = [];
  let revocationMark = 0;

  const ctx: SessionContext = {
    deps,
    caps,
    log,
    grace: new Grace(deps.live.deadlines('reconnect-grace'), deps.ws.reconnectGraceMs),
    handovers: new Handovers(
      deps.live.store('handover'),
      deps.live.deadlines('handover'),
      deps.clock,
    ),
    adoptId(conn, id) {
      if (connections.has(id)) return false;
      connections.delete(conn.id);
      conn.id = id;
      connections.set(id, conn);
      return true;
    },
    setState,
    send: (conn, message) => write(conn, JSON.stringify(message), message.type),
    releaseHeld: (conn) => {
      for (const held of conn.release()) write(conn, held.payload, held.type);
    },
    sendError(conn, code, message, ref, details) {
      const error: ServerMessage = {
        type: 'error',
        ...(ref !== undefined ? { ref } : {}),
        code,
        message,
        ...(details ? { details } : {}),
      };
      deps.metrics?.signalingErrors.inc({ code });
      write(conn, JSON.stringify(error), 'error');
    },
    closeWith,
    revocationMark: () => revocationMark,
    revokedSince(mark, userId, sessionId) {
      // Older than what is kept: assume the worst, the caller checks the token again.
      if (revocations.length > 0 && revocations[0]!.mark > mark + 1) return true;
      return revocations.some(
        (r) =>
          r.mark > mark &&
          r.userId === userId &&
          (r.sessionId === undefined || r.sessionId === sessionId),
      );
    },
  };
  const noteRevocation = (userId: string, sessionId: string | undefined) => {
    revocations.push({ mark: ++revocationMark, userId, sessionId });
    if (revocations.length > MAX_REVOCATIONS_KEPT) revocations.shift();
  };
  const sockets: LocalSockets = {
    ofUser: (userId) => [...socketsOf(userId)],
    all: () => connections.values(),
    resync(why, which) {
      let count = 0;
      for (const conn of [...connections.values()]) {
        if (conn.state.kind === 'closing') continue;
        if (which === 'in-room' && conn.state.kind !== 'in-room') continue;
        count++;
        closeWith(conn, {
          code: WsCloseCode.SERVICE_RESTART,
          reason: ErrorCode.SERVICE_UNAVAILABLE,
          depart: 'shutdown',
        });
      }
      log.warn({ why, sockets: count }, 'live state lost: clients told to reconnect and resync');
    },
    recount() {
      for (const conn of connections.values()) {
        conn.enqueue(() => countAgain(deps, conn), taskFailed(conn));
      }
    },
  };

  const unsubscribe = [
    deps.live.bus.subscribe(onBus),
    deps.live.bus.on('room.closed', (e) => roomClosed(e.roomId, e.reason)),
    deps.live.bus.on('session.revoked', (e) => noteRevocation(e.userId, e.sessionId)),
    deps.live.bus.on('user.disabled', (e) => noteRevocation(e.userId, undefined)),
    ...watchRevocations(ctx, sockets),
    deps.live.onStatus((status) => {
      if (status === 'down') log.warn('live state unreachable: work waits until it is back');
      else if (status === 'up') log.info('live state reachable again; nothing was lost');
      else sockets.resync('the shared live state was lost (Redis restarted or fell behind)', 'all');
    }),
  ];
  // Pings keep proxies from dropping idle sockets and find the dead ones.
  const heartbeat = timers.setInterval(beat, deps.ws.heartbeatIntervalMs);
  /** When `beat` last ran: a beat much later than that means this process was paused. */
  let lastBeat = timers.monotonic();
  const upkeep = startUpkeep(ctx, sockets);

  // Listeners shared by every socket (`this` is the socket), not closures made per socket.
  function onMessage(this: Tagged, data: RawData, isBinary: boolean): void {
    onFrame(this[CONNECTION]!, data, isBinary);
  }
  function onPong(this: Tagged): void {
    this[CONNECTION]!.lastSeen = timers.monotonic();
  }
  function onClose(this: Tagged, code: number): void {
    // Once, as `once` would, without the wrapper `once` makes per socket.
    this.removeListener('close', onClose);
    onClosed(this[CONNECTION]!, code);
  }

  function accept(socket: WebSocket, ip: string, userAgent: string | null = null): void {
    if (drain) {
      socket.close(WsCloseCode.SERVICE_RESTART, ErrorCode.SERVICE_UNAVAILABLE);
      return;
    }
    const id = newConnectionId();
    const helloTimer = timers.setTimeout(() => {
      if (conn.state.kind !== 'awaiting-hello') return;
      closeWith(conn, {
        code: WsCloseCode.HELLO_TIMEOUT,
        reason: ErrorCode.HELLO_REQUIRED,
        error: { message: 'No hello in time.' },
      });
    }, deps.ws.helloTimeoutMs);
    const conn = new Connection(
      id,
      socket,
      { ip, userAgent },
      { kind: 'awaiting-hello', helloTimer },
      monotonic,
      rate,
    );
    connections.set(id, conn);
    deps.metrics?.wsConnections.inc();
    log.debug({ connectionId: id }, 'socket opened');

    (socket as Tagged)[CONNECTION] = conn;
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);

    // The address's place, counted over every process, is the socket's first task: its
    // `hello` is queued behind it, so a socket over the cap is closed before it is heard.
    conn.enqueue(async () => {
      if (await takePlace(deps, conn, addressKey(ip), caps.maxConnectionsPerIp)) return;
      closeWith(conn, {
        code: WsCloseCode.TOO_MANY_CONNECTIONS,
        reason: ErrorCode.TOO_MANY_CONNECTIONS,
        error: { message: 'Too many open connections from this address.' },
      });
    }, taskFailed(conn));
  }

  function onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.state.kind === 'closing') return;
    conn.lastSeen = timers.monotonic();
    if (!takeToken(conn, rate)) {
      return closeWith(conn, {
        code: WsCloseCode.RATE_LIMITED,
        reason: ErrorCode.RATE_LIMITED,
        error: { message: 'Too many messages. Slow down.' },
      });
    }
    if (isBinary) {
      deps.metrics?.wsMessagesIn.count('invalid');
      return closeWith(conn, {
        code: WsCloseCode.UNSUPPORTED_DATA,
        reason: ErrorCode.INVALID_MESSAGE,
        error: { message: 'Binary frames are not part of the protocol.' },
      });
    }
    const frame = parsePlainJson(rawToString(data));
    conn.enqueue(() => dispatch(ctx, conn, frame), taskFailed(conn));
  }

  function onClosed(conn: Connection, code: number): void {
    connections.delete(conn.id);
    deps.metrics?.wsConnections.dec();
    log.debug({ connectionId: conn.id, userId: conn.authenticatedAs, code }, 'socket closed');
    if (conn.state.kind !== 'closing') {
      const prev = conn.state;
      setState(conn, { kind: 'closing' });
      const reason: DepartReason = conn.timedOut ? 'timeout' : 'disconnected';
      conn.enqueue(() => cleanup(conn, prev, reason), taskFailed(conn));
    }
    // After everything queued (a place being taken at hello included): the socket is
    // gone, so it stops counting against its address anywhere.
    conn.enqueue(() => givePlacesBack(deps, conn), taskFailed(conn));
    // Shutdown waits for these too: the live state closes after it, and a departure
    // that outlived it would fail half-way (no grace for that seat).
    const done: Promise<void> = conn.idle().then(() => void departing.delete(done));
    departing.add(done);
  }

  /** Closes the socket now; the roster and the others are dealt with in the queue. */
  function closeWith(conn: Connection, req: CloseRequest): void {
    if (conn.state.kind === 'closing') return;
    if (req.error) {
      ctx.sendError(conn, req.reason, req.error.message, req.error.ref, req.error.details);
    } else if (!ENDINGS_NOT_ERRORS.has(req.code)) {
      // Counted here only when no `error` went out first (sendError counts those).
      deps.metrics?.signalingErrors.inc({ code: req.reason });
    }
    const prev = conn.state;
    setState(conn, { kind: 'closing' });
    conn.release();
    log.debug(
      { connectionId: conn.id, userId: conn.authenticatedAs, code: req.code },
      'closing socket',
    );
    if (conn.socket.readyState === WebSocket.OPEN) conn.socket.close(req.code, req.reason);
    conn.enqueue(() => cleanup(conn, prev, req.depart ?? 'disconnected'), taskFailed(conn));
  }

  /**
   * What a connection leaves behind when it closes, by the state it was in. Its place
   * under its account goes with the session; the one under its address stays until the
   * socket is gone (onClosed), as a closing socket is still open.
   */
  async function cleanup(conn: Connection, prev: SessionState, reason: DepartReason) {
    try {
      await leave(conn, prev, reason);
    } finally {
      await givePlacesBack(deps, conn, (key) => key !== addressKey(conn.ip));
    }
  }

  async function leave(conn: Connection, prev: SessionState, reason: DepartReason) {
    switch (prev.kind) {
      case 'awaiting-hello':
        timers.clear(prev.helloTimer);
        return;
      case 'ready':
        return presenceDown(ctx, conn.id, prev.user);
      case 'closing':
        return;
      case 'in-room':
        try {
          // Handed over: the room entry stays for the socket that resumes it.
          if (reason !== 'handover') await departRoom(ctx, conn, prev, reason);
        } finally {
          await presenceDown(ctx, conn.id, prev.user);
        }
        return;
      default:
        return assertNever(prev);
    }
  }

  function setState(conn: Connection, next: SessionState): void {
    const prev = conn.state;
    if (prev.kind === 'awaiting-hello') timers.clear(prev.helloTimer);
    if (prev.kind === 'in-room') removeFrom(byRoom, prev.roomId, conn);
    const before = userIdOf(prev);
    const after = userIdOf(next);
    if (before !== undefined && before !== after) removeUserSocket(before, conn);
    if (after !== undefined && before !== after) addUserSocket(after, conn);
    if (after !== undefined) conn.authenticatedAs = after;
    if (next.kind === 'in-room') addTo(byRoom, next.roomId, conn);
    conn.state = next;
  }

  // ---- outbound ----

  /**
   * Writes one pre-serialized payload. A reader that lets more than maxBufferedBytes pile
   * up is closed instead of being buffered for without limit.
   */
  function write(conn: Connection, payload: string, type: ServerMessage['type']): void {
    const { socket } = conn;
    if (socket.readyState !== WebSocket.OPEN) return;
    coalescer.hold(socket);
    if (socket.bufferedAmount > WS_LIMITS.maxBufferedBytes) {
      return closeWith(conn, { code: WsCloseCode.SLOW_CONSUMER, reason: ErrorCode.SLOW_CONSUMER });
    }
    socket.send(payload);
    deps.metrics?.wsMessagesOut.count(type);
  }

  /** Fan-out from the bus: the same string to every matching local socket. */
  function deliver(conn: Connection, envelope: Envelope): void {
    if (conn.state.kind === 'closing' || conn.holdIfJoining(envelope)) return;
    write(conn, envelope.payload, envelope.type);
  }

  /**
   * The sockets a delivery reaches, as the live index itself (not a copy: this runs per
   * message). A delivery may close a socket, which takes it out of these sets; a Set
   * iterates on past its deleted entries, and nothing is added to them here.
   */
  function recipients(to: Delivery): Iterable<Connection> {
    switch (to.kind) {
      case 'room':
        return byRoom.get(to.roomId) ?? NOBODY;
      case 'user':
        // Every socket of the user, whatever it is doing: a knocker hears its admission.
        return socketsOf(to.userId);
      case 'connection': {
        const conn = connections.get(to.connectionId);
        return conn && conn.userId !== undefined ? [conn] : NOBODY;
      }
      default:
        return assertNever(to);
    }
  }

  function onBus(envelope: Envelope): void {
    // Called inside the publisher's `await bus.to…()`: a failure here must not become theirs.
    try {
      const except = envelope.to.kind === 'room' ? envelope.to.exceptConnectionId : undefined;
      if (!envelope.effect) {
        for (const conn of recipients(envelope.to)) {
          if (conn.id !== except) deliver(conn, envelope);
        }
        return;
      }
      // Effects (a kick, a closure) are rare and close sockets: over a copy.
      for (const conn of [...recipients(envelope.to)]) {
        if (conn.id === except) continue;
        // Never held back by a join in progress: the join is about to be undone.
        if (conn.state.kind !== 'closing') write(conn, envelope.payload, envelope.type);
        applyEffect(conn, envelope.effect);
      }
    } catch (err) {
      log.error({ err, to: envelope.to }, 'socket fan-out failed');
    }
  }

  /**
   * A kick or a room closure reaching a socket in that room ends its part in the call.
   * Checked now, and again after what is already queued for the connection: a
   * `room.join` that passed the gate just before the kick lands after it.
   */
  function applyEffect(conn: Connection, effect: SocketEffect): void {
    const fire = () => {
      const s = conn.state;
      if (s.kind !== 'in-room' || s.roomId !== effect.roomId) return;
      switch (effect.because) {
        case 'kicked':
          return closeWith(conn, {
            code: WsCloseCode.KICKED,
            reason: ErrorCode.KICKED_FROM_ROOM,
            depart: 'kicked',
          });
        case 'room-closed':
          return closeWith(conn, {
            code: WsCloseCode.ROOM_CLOSED,
            reason: ErrorCode.ROOM_CLOSED,
            depart: 'room-closed',
          });
        default:
          return assertNever(effect.because);
      }
    };
    fire();
    conn.enqueue(() => Promise.resolve(fire()), taskFailed(conn));
  }

  /**
   * Every process hears a closure once its database change committed. Under the room's
   * lock, so a `room.join` that passed the gate just before the closure has finished:
   * whoever is still in the call here (that joiner) is told and closed with 4011, then
   * the roster and graces go.
   */
  function roomClosed(roomId: string, reason: 'ended' | 'expired'): Promise<void> {
    return deps.live.locks.run(roomId, async () => {
      const notice = JSON.stringify({
        type: 'room.closed',
        roomId,
        reason,
      } satisfies ServerMessage);
      for (const conn of [...(byRoom.get(roomId) ?? [])]) {
        write(conn, notice, 'room.closed');
        closeWith(conn, {
          code: WsCloseCode.ROOM_CLOSED,
          reason: ErrorCode.ROOM_CLOSED,
          depart: 'room-closed',
        });
      }
      await forgetRoom(ctx, roomId);
    });
  }

  // ---- liveness ----

  function beat(): void {
    const now = timers.monotonic();
    // Silence counts only while this process was there to hear it. A beat later than its
    // interval means the process itself stood still (a GC pause, the CPU given to other
    // processes, a debugger): the sockets' pongs wait unread in the kernel meanwhile, and
    // timers run before I/O, so judged on the clock alone every healthy socket would be
    // terminated the moment the pause ends. The delay moves each last-heard mark forward.
    const paused = Math.max(0, now - lastBeat - deps.ws.heartbeatIntervalMs);
    lastBeat = now;
    for (const conn of connections.values()) {
      if (conn.state.kind === 'closing') continue;
      conn.lastSeen = Math.min(now, conn.lastSeen + paused);
      if (now - conn.lastSeen > deps.ws.deadAfterMs) {
        conn.timedOut = true;
        log.debug({ connectionId: conn.id, userId: conn.authenticatedAs }, 'socket timed out');
        conn.socket.terminate(); // no close handshake with a peer that is not there
      } else if (conn.socket.readyState === WebSocket.OPEN) {
        conn.socket.ping();
      }
    }
  }

  // ---- shutdown ----

  async function shutdown(): Promise<void> {
    timers.clear(heartbeat);
    await upkeep.stop();
    const all = [...connections.values()];
    const handedOver = await handOver(all);
    const draining = JSON.stringify({ type: 'server.draining' } satisfies ServerMessage);
    for (const conn of all) {
      if (conn.state.kind === 'closing') continue;
      write(conn, draining, 'server.draining');
      closeWith(conn, {
        code: WsCloseCode.SERVICE_RESTART,
        reason: ErrorCode.SERVICE_UNAVAILABLE,
        depart: handedOver.has(conn) ? 'handover' : 'shutdown',
      });
    }
    // Let the roster updates go out, then stop listening; a stuck one cannot hold us up.
    await within(timers, 2_000, Promise.all([...all.map((c) => c.idle()), ...departing]));
    for (const off of unsubscribe) off();
    // A client that never answers the close frame must not keep the server open.
    await within(timers, 1_000, Promise.all(all.map((c) => c.closed)));
    for (const conn of connections.values()) conn.socket.terminate();
    // Whatever is still counted here goes at once, so clients reconnecting to the other
    // processes find their places free instead of waiting out this process's lease.
    await within(
      timers,
      1_000,
      deps.live.socketCounts
        .drop(deps.processId)
        .catch((err: unknown) => log.warn({ err }, 'giving back socket counts failed')),
    );
  }

  /**
   * Offers every in-call connection for resumption and keeps this process's lease just
   * long enough for that: entries nobody resumes are swept by the others afterwards.
   * What the shared store does not confirm in time is ended the ordinary way.
   */
  async function handOver(all: Connection[]): Promise<Set<Connection>> {
    const handedOver = new Set<Connection>();
    const offers = all.flatMap((conn) => {
      const { state, resumeToken } = conn;
      if (state.kind !== 'in-room' || !resumeToken) return [];
      return [
        ctx.handovers
          .offer(resumeToken, conn.id, state.user.id)
          .then(() => void handedOver.add(conn))
          .catch((err: unknown) => log.warn({ err, connectionId: conn.id }, 'handover failed')),
      ];
    });
    if (offers.length === 0) return handedOver;
    const until = deps.clock.now().getTime() + HANDOVER_WINDOW_MS;
    const lease = deps.live.roster
      .heartbeat(deps.processId, until)
      .catch((err: unknown) => log.warn({ err }, 'handover lease failed'));
    await within(timers, 2_000, Promise.all([...offers, lease]));
    // Late confirmations must not flip a connection that is already being ended.
    return new Set(handedOver);
  }

  function socketsOf(userId: string): Iterable<Connection> {
    const held = byUser.get(userId);
    if (held === undefined) return NOBODY;
    return held instanceof Set ? held : [held];
  }

  function addUserSocket(userId: string, conn: Connection): void {
    const held = byUser.get(userId);
    if (held === undefined) byUser.set(userId, conn);
    else if (held instanceof Set) held.add(conn);
    else if (held !== conn) byUser.set(userId, new Set([held, conn]));
  }

  function removeUserSocket(userId: string, conn: Connection): void {
    const held = byUser.get(userId);
    if (held === conn) byUser.delete(userId);
    else if (held instanceof Set) {
      held.delete(conn);
      if (held.size === 1) byUser.set(userId, held.values().next().value!);
    }
  }

  function taskFailed(conn: Connection) {
    return (err: unknown) => log.error({ err, connectionId: conn.id }, 'socket task failed');
  }

  return {
    accept,
    close: () => (drain ??= shutdown()),
    size: () => connections.size,
    draining: () => drain !== undefined,
  };
}

const NOBODY: readonly Connection[] = [];

/** Closes that end a session the ordinary way: not counted as signaling errors. */
const ENDINGS_NOT_ERRORS = new Set<number>([
  WsCloseCode.NORMAL,
  WsCloseCode.SERVICE_RESTART,
  WsCloseCode.KICKED,
  WsCloseCode.ROOM_CLOSED,
]);

/** Revocations remembered for tokens still being checked; a check takes milliseconds. */
const MAX_REVOCATIONS_KEPT = 1_000;

/** 96 random bits: unguessable, so knowing a connection id grants nothing. */
function newConnectionId(): string {
  return `c_${randomToken(12)}`;
}

function userIdOf(state: SessionState): string | undefined {
  return state.kind === 'ready' || state.kind === 'in-room' ? state.user.id : undefined;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function within(
  timers: SignalingDeps['timers'],
  ms: number,
  work: Promise<unknown>,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = timers.setTimeout(resolve, ms);
    const done = () => {
      timers.clear(timer);
      resolve();
    };
    work.then(done, done);
  });
}
