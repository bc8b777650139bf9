/**
 * A small in-memory Parley signaling server speaking the real protocol messages over
 * FakeWebSockets: hello/welcome, ping/pong, auth.refresh with token expiry, room.join/room.joined
 * with the roster, participant.* fan-out, signal relay, media.update (raised hands with
 * handRaisedAt), reactions, spotlight, moderation (mute, mute-all, lower-hand, a co-host
 * grant with the lobby), the meeting clock, and draining (1012) with resume
 * (`welcome.resumeToken`, `hello.resume`, `welcome.resumed`). Enough to run several
 * CallSessions against each other in one test; the real server's rules (who may do what)
 * live in apps/server.
 *
 * Tokens are names: "ada" and "ada#2" are two tokens of the user ada. Time is the global
 * clock (Date.now and setTimeout), so `vi.useFakeTimers()` drives token expiry too.
 */
import { INITIAL_PLAYBACK_STATE, REACTION_LIMITS } from '@parley/protocol';
import type {
  LobbyEntry,
  ModerationAppliedMessage,
  ParticipantRole,
  Reaction,
  RosterEntry,
  RoomSummary,
  ServerMessage,
  User,
} from '@parley/protocol';
import type { WebSocketCtor } from '../signaling';
import { FakeWebSocket } from './fake-websocket';

export const ROOM_ID = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';
const T0 = '2025-01-01T10:00:00.000Z';

/** A stable UUID per name, so tokens like "ada" or "ada#2" map to one user. */
export function userIdFor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${h.toString(16).padStart(12, '0').slice(-12)}`;
}

export function roomSummary(roomId = ROOM_ID, meetingStartedAt: string | null = null): RoomSummary {
  return {
    id: roomId,
    code: 'abc-defg-hjkm',
    name: 'Weekly sync',
    visibility: 'private',
    entry: 'open',
    chatEnabled: true,
    maxParticipants: 12,
    locked: false,
    kind: 'meeting',
    status: 'open',
    hostId: userIdFor('ada'),
    hostDisplayName: 'ada',
    createdAt: T0,
    closedAt: null,
    participantCount: 1,
    instant: false,
    meetingStartedAt,
  };
}

export interface ServerConn {
  id: string;
  socket: ServerSocket;
  /** The token given at `hello` or by the last accepted `auth.refresh`. */
  token: string;
  /** When `token` expires (ms, Date.now); the socket is closed 4002 TOKEN_EXPIRED then. */
  tokenExpiresAt: number;
  userId: string;
  name: string;
  entry?: RosterEntry;
  expiryTimer?: ReturnType<typeof setTimeout>;
  /** The secret of the last `welcome` (when the server offers resume). */
  resumeToken?: string;
  /** Set while the connection waits, socketless, for the socket that resumes it. */
  handover?: { token: string; timer: ReturnType<typeof setTimeout> };
  /** `reaction.send` token bucket (REACTION_LIMITS). */
  reactions?: { tokens: number; at: number };
}

type Actor = { id: string; displayName: string };

/** The user a token stands for ("ada#3" is ada). */
export function nameOfToken(token: string): string {
  return token.split('#')[0]!;
}

export type Json = Record<string, unknown>;

/** What a `signal` carried: a description by its type, a candidate, or end-of-candidates. */
export type SignalKind = 'offer' | 'answer' | 'candidate' | 'end';

/** One `signal` the server got from a connection in the call, relayed or dropped. */
export interface SignalRecord {
  /** Sender and addressee: connection ids and names. */
  from: string;
  to: string;
  fromName: string;
  toName: string;
  kind: SignalKind;
  /** The payload as sent: `{ description }` or `{ candidate }`. */
  payload: Json;
  /** Swallowed by a dropSignals rule (or relayCandidates = false): never delivered. */
  dropped: boolean;
}

/** Decides, per `signal` in flight, whether the network loses it. */
export type SignalDrop = (from: ServerConn, to: ServerConn, payload: Json) => boolean;

export function signalKindOf(payload: Json): SignalKind {
  const description = payload.description as { type?: string } | undefined;
  if (description?.type === 'offer' || description?.type === 'answer') return description.type;
  const candidate = payload.candidate as { candidate?: string } | null | undefined;
  return candidate?.candidate ? 'candidate' : 'end';
}

export class ServerSocket extends FakeWebSocket {
  conn: ServerConn | undefined;

  constructor(
    url: string,
    private readonly server: FakeServer,
  ) {
    super(url);
    this.addEventListener('close', () => server.socketClosed(this));
    server.socketCreated(this);
  }

  protected override onClientSend(data: string): void {
    // Like a network hop: the server sees the frame after the client's call returned.
    void Promise.resolve().then(() => this.server.handle(this, JSON.parse(data) as Json));
  }
}

function socketClassFor(server: FakeServer): WebSocketCtor {
  return class extends ServerSocket {
    constructor(url: string) {
      super(url, server);
    }
  } as unknown as WebSocketCtor;
}

export class FakeServer {
  readonly WebSocket: WebSocketCtor;
  readonly sockets: ServerSocket[] = [];
  readonly conns = new Map<string, ServerConn>();
  /** Every token presented in `hello`, in order. */
  readonly tokens: string[] = [];
  /** Every token presented in `auth.refresh`, in order. */
  readonly refreshTokens: string[] = [];
  /** How long a token presented at `hello` or `auth.refresh` stays valid. */
  tokenLifetimeMs = 15 * 60_000;
  /** How far the server's clock (serverTime, tokenExpiresAt) is ahead of the client's. */
  clockSkewMs = 0;
  /** Return an ErrorCode to answer an `auth.refresh` with an `error` (the socket lives on). */
  refreshError: (token: string, conn: ServerConn) => string | undefined = () => undefined;
  /** Open sockets on the next microtask; false leaves them for the test to accept(). */
  autoAccept = true;
  /** Sockets fail before opening (server down). */
  refuse = false;
  autoPong = true;
  isTokenValid: (token: string) => boolean = () => true;
  /** Return an ErrorCode to refuse a `room.join`. */
  joinError: (conn: ServerConn) => string | undefined = () => undefined;
  /** `welcome` carries a resumeToken and drain() hands in-call connections over. */
  resumable = true;
  /** How long a drained connection waits for the socket that resumes it (the real one: 15 s). */
  handoverWindowMs = 15_000;
  /** Every `hello.resume` presented, in order (undefined for a `hello` without one). */
  readonly resumes: (string | undefined)[] = [];
  /** Every `quality.report` from a connection in the call, in order, with its sender. */
  readonly qualityReports: { from: string; outcome: unknown; firstFrameMs?: unknown }[] = [];
  /** Draining: every new socket is accepted and closed at once with 1012, hello unread. */
  draining = false;
  /** False swallows every ICE candidate (descriptions still pass): no link ever connects. */
  relayCandidates = true;
  /** Roles by name for the next join ('ada' is always the host); grant() sets them too. */
  readonly roles = new Map<string, ParticipantRole>();
  /** The room's lobby: sent in room.joined to a host or co-host, and with grant(). */
  lobby: LobbyEntry[] = [];
  /** The connection in the spotlight for everyone (room.joined.spotlight). */
  spotlightId: string | null = null;
  /** When the call went from empty to occupied (server clock, ms); null while empty. */
  meetingStartedAt: number | null = null;
  /** Every message from a connection after its `hello`, in order, with the sender's name. */
  readonly received: { from: string; msg: Json }[] = [];
  /** Every `reaction` broadcast, in order. */
  readonly reactions: { connectionId: string; emoji: string }[] = [];
  /** Every `signal` between two connections in the call, in order, relayed or dropped. */
  readonly signals: SignalRecord[] = [];
  private readonly signalDrops = new Set<SignalDrop>();
  private nextConn = 0;
  private nextToken = 0;

  constructor() {
    this.WebSocket = socketClassFor(this);
  }

  get lastSocket(): ServerSocket | undefined {
    return this.sockets.at(-1);
  }

  inRoom(): ServerConn[] {
    return [...this.conns.values()].filter((c) => c.entry);
  }

  connOf(name: string): ServerConn | undefined {
    return [...this.conns.values()].reverse().find((c) => c.name === name);
  }

  send(conn: ServerConn, msg: ServerMessage): void {
    conn.socket.receive(msg);
  }

  // ---- test controls ----

  /** Server-side end of a connection (1006: the network died, no close frame). */
  drop(conn: ServerConn, code = 1006, reason = ''): void {
    conn.socket.drop(code, reason);
  }

  kick(conn: ServerConn): void {
    const userConns = [...this.conns.values()].filter((c) => c.userId === conn.userId);
    for (const c of userConns) this.send(c, { type: 'participant.kicked', roomId: ROOM_ID });
    for (const c of userConns) this.leave(c, 'kicked');
    for (const c of userConns) c.socket.drop(4010, 'KICKED_FROM_ROOM');
  }

  /** 4002 with the given reason: SESSION_REVOKED, ACCOUNT_DISABLED, TOKEN_EXPIRED... */
  closeUnauthenticated(conn: ServerConn, reason: string): void {
    conn.socket.drop(4002, reason);
  }

  /** The account changed (e.g. an admin changed the role): `session.updated` to its sockets. */
  updateSession(user: User): void {
    for (const c of this.conns.values()) {
      if (c.userId === user.id) this.send(c, { type: 'session.updated', user });
    }
  }

  /**
   * What a stopping process does to `conns` (default: all): `server.draining`, then a close
   * with 1012. With `resumable`, each in-call connection keeps its place (no
   * participant.left) for `handoverWindowMs`, for the socket that presents its token.
   */
  drain(conns: ServerConn[] = [...this.conns.values()]): void {
    for (const c of conns) {
      this.send(c, { type: 'server.draining' });
      if (this.resumable && c.entry && c.resumeToken) {
        const token = c.resumeToken;
        c.handover = {
          token,
          timer: setTimeout(() => {
            if (c.handover?.token !== token) return;
            c.handover = undefined;
            this.leave(c, 'disconnected');
            this.conns.delete(c.id);
          }, this.handoverWindowMs),
        };
      }
      c.socket.drop(1012, 'SERVICE_UNAVAILABLE');
    }
  }

  /** Connections waiting to be resumed. */
  handedOver(): ServerConn[] {
    return [...this.conns.values()].filter((c) => c.handover);
  }

  /** A `reaction` to the room as if `name`'s (latest) connection sent it. */
  react(name: string, emoji: Reaction): void {
    const conn = this.connOf(name);
    if (!conn?.entry) throw new Error(`${name} is not in the call`);
    this.broadcastReaction(conn, emoji);
  }

  /** A host puts `connectionId` in the spotlight for everyone (null ends it). */
  spotlight(connectionId: string | null, byName = 'ada'): void {
    this.spotlightId = connectionId;
    for (const c of this.inRoom()) {
      this.send(c, {
        type: 'room.spotlight',
        roomId: ROOM_ID,
        connectionId,
        by: this.actor(byName),
      });
    }
  }

  /**
   * What the moderation routes do: `mute` turns the target's audio off in the roster (the
   * room sees participant.updated) and tells the target; `mute-all` does that to everyone in
   * the call but `byName` (`target` is ignored); `lower-hand` lowers the target's hand.
   */
  moderate(target: string, action: ModerationAppliedMessage['action'], byName = 'ada'): void {
    const targets =
      action === 'mute-all'
        ? this.inRoom().filter((c) => c.name !== byName)
        : this.inRoom().filter((c) => c.name === target);
    for (const c of targets) {
      const entry = c.entry!;
      c.entry =
        action === 'lower-hand'
          ? { ...entry, media: { ...entry.media, handRaised: false }, handRaisedAt: null }
          : { ...entry, media: { ...entry.media, audio: false } };
      this.toRoom({ type: 'participant.updated', roomId: ROOM_ID, participant: c.entry });
    }
    for (const c of targets) {
      this.send(c, {
        type: 'moderation.applied',
        roomId: ROOM_ID,
        action,
        by: this.actor(byName),
      });
    }
  }

  /** `name` moderates now: role in the roster (participant.updated) and moderation.granted. */
  grant(
    name: string,
    opts: { role?: ParticipantRole; reason?: 'promoted' | 'handover'; lobby?: LobbyEntry[] } = {},
  ): void {
    const role = opts.role ?? 'cohost';
    this.roles.set(name, role);
    const conns = this.inRoom().filter((c) => c.name === name);
    for (const c of conns) {
      c.entry = { ...c.entry!, role };
      this.toRoom({ type: 'participant.updated', roomId: ROOM_ID, participant: c.entry });
    }
    for (const c of conns) {
      this.send(c, {
        type: 'moderation.granted',
        roomId: ROOM_ID,
        role,
        reason: opts.reason ?? 'promoted',
        lobby: opts.lobby ?? this.lobby,
      });
    }
  }

  /** Someone knocks: into `lobby`, and `lobby.requested` to the moderators in the call. */
  knock(displayName: string, isGuest = true): LobbyEntry {
    const entry: LobbyEntry = {
      user: { id: userIdFor(`lobby:${displayName}`), displayName, isGuest },
      requestedAt: new Date(this.now()).toISOString(),
    };
    this.lobby = [...this.lobby.filter((e) => e.user.id !== entry.user.id), entry];
    for (const c of this.inRoom().filter((m) => m.entry!.role !== 'participant')) {
      this.send(c, { type: 'lobby.requested', roomId: ROOM_ID, ...entry });
    }
    return entry;
  }

  closeRoom(): void {
    const members = this.inRoom();
    for (const c of members) {
      this.send(c, { type: 'room.closed', roomId: ROOM_ID, reason: 'ended' });
    }
    for (const c of members) c.entry = undefined;
    this.spotlightId = null;
    this.meetingStartedAt = null;
    for (const c of members) c.socket.drop(4011, 'ROOM_CLOSED');
  }

  /**
   * Loses in flight every `signal` that `drop` picks (e.g. the candidates of one link);
   * the sender is not told, as on a real network. Returns the undo.
   */
  dropSignals(drop: SignalDrop): () => void {
    this.signalDrops.add(drop);
    return () => this.signalDrops.delete(drop);
  }

  /**
   * The signals sent from `from` to `to` (connection ids or names; left out: anyone), of
   * `kind` if given; `delivered` counts only the ones relayed.
   */
  signalsBetween(
    from?: string,
    to?: string,
    kind?: SignalKind,
    opts: { delivered?: boolean } = {},
  ): SignalRecord[] {
    const is = (who: string | undefined, id: string, name: string) =>
      who === undefined || who === id || who === name;
    return this.signals.filter(
      (r) =>
        is(from, r.from, r.fromName) &&
        is(to, r.to, r.toName) &&
        (kind === undefined || r.kind === kind) &&
        (!opts.delivered || !r.dropped),
    );
  }

  /** How many signals of each kind each ordered pair sent: `{ 'bob>ada': { offer: 1, … } }`. */
  signalCounts(by: 'name' | 'id' = 'name'): Record<string, Record<SignalKind, number>> {
    const counts: Record<string, Record<SignalKind, number>> = {};
    for (const r of this.signals) {
      const key = by === 'name' ? `${r.fromName}>${r.toName}` : `${r.from}>${r.to}`;
      counts[key] ??= { offer: 0, answer: 0, candidate: 0, end: 0 };
      counts[key][r.kind] += 1;
    }
    return counts;
  }

  // ---- protocol ----

  socketCreated(socket: ServerSocket): void {
    this.sockets.push(socket);
    if (this.draining) {
      void Promise.resolve().then(() => {
        socket.accept();
        socket.drop(1012, 'SERVICE_UNAVAILABLE');
      });
    } else if (this.refuse) {
      void Promise.resolve().then(() => socket.drop(1006));
    } else if (this.autoAccept) {
      void Promise.resolve().then(() => socket.accept());
    }
  }

  socketClosed(socket: ServerSocket): void {
    const conn = socket.conn;
    if (!conn || conn.socket !== socket) return;
    clearTimeout(conn.expiryTimer);
    // Handed over: the connection outlives its socket until resumed or the window ends.
    if (conn.handover) return;
    this.leave(conn, 'disconnected');
    this.conns.delete(conn.id);
  }

  handle(socket: ServerSocket, msg: Json): void {
    if (socket.readyState !== FakeWebSocket.OPEN) return;
    const conn = socket.conn;
    const ref = typeof msg.ref === 'string' ? { ref: msg.ref } : {};
    if (!conn) {
      if (msg.type !== 'hello') return socket.drop(4004, 'HELLO_REQUIRED');
      const token = String(msg.token);
      this.tokens.push(token);
      const resume = typeof msg.resume === 'string' ? msg.resume : undefined;
      this.resumes.push(resume);
      if (!this.isTokenValid(token)) {
        socket.receive({ type: 'error', code: 'INVALID_TOKEN', message: 'Bad token', ...ref });
        return socket.drop(4002, 'INVALID_TOKEN');
      }
      const name = nameOfToken(token);
      const taken = resume !== undefined ? this.claim(resume, userIdFor(name)) : undefined;
      if (taken) return this.welcome(taken, socket, token, ref, true);
      const created: ServerConn = {
        id: `c${++this.nextConn}`,
        socket,
        token,
        tokenExpiresAt: 0,
        userId: userIdFor(name),
        name,
      };
      this.conns.set(created.id, created);
      return this.welcome(created, socket, token, ref, false);
    }
    this.received.push({ from: conn.name, msg });
    switch (msg.type) {
      case 'ping':
        if (this.autoPong) this.send(conn, { type: 'pong', ...ref, serverTime: this.now() });
        return;
      case 'auth.refresh':
        return this.refreshAuth(conn, String(msg.token), ref);
      case 'room.join':
        return this.join(conn, msg, ref);
      case 'room.leave':
        return this.leave(conn, 'left');
      case 'media.update': {
        if (!conn.entry) return;
        const handRaised =
          typeof msg.handRaised === 'boolean' ? msg.handRaised : conn.entry.media.handRaised;
        conn.entry = {
          ...conn.entry,
          media: {
            audio: Boolean(msg.audio),
            video: Boolean(msg.video),
            screen: Boolean(msg.screen),
            handRaised,
          },
          handRaisedAt: handRaised ? (conn.entry.handRaisedAt ?? this.isoNow()) : null,
        };
        this.toRoom({ type: 'participant.updated', roomId: ROOM_ID, participant: conn.entry });
        return;
      }
      case 'reaction.send': {
        if (!conn.entry) {
          this.send(conn, { type: 'error', code: 'NOT_IN_ROOM', message: 'No', ...ref });
          return;
        }
        const now = Date.now();
        const bucket = conn.reactions ?? { tokens: REACTION_LIMITS.burst, at: now };
        bucket.tokens = Math.min(
          REACTION_LIMITS.burst,
          bucket.tokens + ((now - bucket.at) / 1000) * REACTION_LIMITS.perSecond,
        );
        bucket.at = now;
        conn.reactions = bucket;
        if (bucket.tokens < 1) {
          this.send(conn, { type: 'error', code: 'RATE_LIMITED', message: 'Slow down', ...ref });
          return;
        }
        bucket.tokens -= 1;
        this.broadcastReaction(conn, msg.emoji as Reaction);
        return;
      }
      case 'quality.report': {
        if (!conn.entry) {
          this.send(conn, { type: 'error', code: 'NOT_IN_ROOM', message: 'No', ...ref });
          return;
        }
        const { outcome, firstFrameMs } = msg;
        this.qualityReports.push({
          from: conn.name,
          outcome,
          ...(firstFrameMs !== undefined ? { firstFrameMs } : {}),
        });
        this.send(conn, { type: 'quality.recorded', ...ref });
        return;
      }
      case 'signal': {
        const target = this.conns.get(String(msg.to));
        if (!conn.entry || !target?.entry || target === conn) {
          this.send(conn, { type: 'error', code: 'TARGET_NOT_FOUND', message: 'No', ...ref });
          return;
        }
        const payload: Json =
          msg.description !== undefined
            ? { description: msg.description }
            : { candidate: msg.candidate };
        const dropped =
          (!this.relayCandidates && msg.description === undefined) ||
          [...this.signalDrops].some((drop) => drop(conn, target, payload));
        this.signals.push({
          from: conn.id,
          to: target.id,
          fromName: conn.name,
          toName: target.name,
          kind: signalKindOf(payload),
          payload,
          dropped,
        });
        if (dropped) return;
        target.socket.receive({
          type: 'signal',
          from: conn.id,
          fromUserId: conn.userId,
          ...payload,
        });
        return;
      }
    }
  }

  /** The handed-over connection `token` stands for, taken over by `userId`; once. */
  private claim(token: string, userId: string): ServerConn | undefined {
    const conn = [...this.conns.values()].find((c) => c.handover?.token === token);
    if (!conn?.handover) return undefined;
    clearTimeout(conn.handover.timer);
    conn.handover = undefined;
    if (conn.userId === userId) return conn;
    // Not theirs: the token is spent and the seat goes as after any drop.
    this.leave(conn, 'disconnected');
    this.conns.delete(conn.id);
    return undefined;
  }

  private welcome(
    conn: ServerConn,
    socket: ServerSocket,
    token: string,
    ref: { ref?: string },
    resumed: boolean,
  ): void {
    conn.socket = socket;
    socket.conn = conn;
    conn.resumeToken = this.resumable ? `resume-${conn.id}-${++this.nextToken}-secret` : undefined;
    this.startTokenClock(conn, token);
    this.send(conn, {
      type: 'welcome',
      ...ref,
      connectionId: conn.id,
      userId: conn.userId,
      serverTime: this.now(),
      heartbeatIntervalMs: 20_000,
      tokenExpiresAt: conn.tokenExpiresAt,
      ...(conn.resumeToken !== undefined ? { resumeToken: conn.resumeToken } : {}),
      resumed,
    });
  }

  /** Like the real server: another user's token ends the socket, a bad one is an `error`. */
  private refreshAuth(conn: ServerConn, token: string, ref: { ref?: string }): void {
    this.refreshTokens.push(token);
    if (nameOfToken(token) !== conn.name) return conn.socket.drop(4002, 'INVALID_TOKEN');
    const refused = this.isTokenValid(token) ? this.refreshError(token, conn) : 'INVALID_TOKEN';
    if (refused) {
      this.send(conn, { type: 'error', ...ref, code: refused, message: refused });
      return;
    }
    this.startTokenClock(conn, token);
    this.send(conn, { type: 'auth.refreshed', ...ref, tokenExpiresAt: conn.tokenExpiresAt });
  }

  /** The server's clock (ms). */
  now(): number {
    return Date.now() + this.clockSkewMs;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private toRoom(msg: ServerMessage): void {
    for (const c of this.inRoom()) this.send(c, msg);
  }

  private actor(name: string): Actor {
    return { id: userIdFor(name), displayName: name };
  }

  private broadcastReaction(conn: ServerConn, emoji: Reaction): void {
    this.reactions.push({ connectionId: conn.id, emoji });
    this.toRoom({
      type: 'reaction',
      roomId: ROOM_ID,
      connectionId: conn.id,
      userId: conn.userId,
      emoji,
    });
  }

  private summary(): RoomSummary {
    const started = this.meetingStartedAt;
    return roomSummary(ROOM_ID, started === null ? null : new Date(started).toISOString());
  }

  private startTokenClock(conn: ServerConn, token: string): void {
    clearTimeout(conn.expiryTimer);
    conn.token = token;
    conn.tokenExpiresAt = this.now() + this.tokenLifetimeMs;
    conn.expiryTimer = setTimeout(
      () => conn.socket.drop(4002, 'TOKEN_EXPIRED'),
      this.tokenLifetimeMs,
    );
  }

  private join(conn: ServerConn, msg: Json, ref: { ref?: string }): void {
    const refused = this.joinError(conn);
    if (refused) {
      this.send(conn, { type: 'error', code: refused, message: refused, ...ref });
      return;
    }
    const media = (msg.media ?? {}) as Record<string, boolean | undefined>;
    const others = this.inRoom().filter((c) => c !== conn);
    // A resumed connection that asks again: still in the call, nobody is told anything new.
    const already = conn.entry !== undefined;
    // The meeting clock starts when the call goes from empty to occupied.
    if (!already && others.length === 0) this.meetingStartedAt = this.now();
    const role: ParticipantRole =
      conn.name === 'ada' ? 'host' : (this.roles.get(conn.name) ?? 'participant');
    const handRaised = media.handRaised ?? false;
    const entry: RosterEntry = {
      connectionId: conn.id,
      userId: conn.userId,
      displayName: conn.name,
      isGuest: false,
      role,
      media: {
        audio: media.audio ?? false,
        video: media.video ?? false,
        screen: media.screen ?? false,
        handRaised,
      },
      joinedAt: T0,
      handRaisedAt: handRaised ? (conn.entry?.handRaisedAt ?? this.isoNow()) : null,
    };
    conn.entry = entry;
    this.send(conn, {
      type: 'room.joined',
      ...ref,
      roomId: ROOM_ID,
      room: this.summary(),
      self: { connectionId: conn.id, userId: conn.userId, role },
      participants: others.map((c) => c.entry!),
      lobby: role === 'participant' ? [] : [...this.lobby],
      chat: [],
      playback: { ...INITIAL_PLAYBACK_STATE },
      serverTime: this.now(),
      spotlight: this.spotlightId,
    });
    if (already) return;
    for (const c of others) {
      this.send(c, { type: 'participant.joined', roomId: ROOM_ID, participant: entry });
    }
  }

  private leave(conn: ServerConn, reason: 'left' | 'disconnected' | 'kicked'): void {
    if (!conn.entry) return;
    conn.entry = undefined;
    // Like the live store: the spotlight goes with its connection (nobody is told), and the
    // meeting clock stops when the call empties.
    if (this.spotlightId === conn.id) this.spotlightId = null;
    if (this.inRoom().length === 0) this.meetingStartedAt = null;
    for (const c of this.inRoom()) {
      this.send(c, {
        type: 'participant.left',
        roomId: ROOM_ID,
        connectionId: conn.id,
        userId: conn.userId,
        reason,
      });
    }
  }
}
