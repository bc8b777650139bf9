import {
  ErrorCode,
  PROTOCOL_VERSION,
  ServerMessage,
  WS_LIMITS,
  WsCloseCode,
} from '@parley/protocol';
import type { ClientMessage, ServerMessageOf, ServerMessageType, User } from '@parley/protocol';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff';
import type { Backoff } from './backoff';
import { systemClock } from './clock';
import type { Clock, TimerId } from './clock';
import { Emitter, callListener } from './emitter';

/**
 * - `idle`: never connected.
 * - `connecting`: the first connection is being made (token, socket, `hello`).
 * - `open`: `welcome` received; messages can be sent.
 * - `reconnecting`: the connection dropped (or never came up) and another try is
 *   scheduled or under way.
 * - `closed`: given up (a final close code, a 4002 that means signed out, a token refused
 *   twice) or `close()` was called. `connect()` may start again unless it was `close()`.
 */
export type SignalingState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SignalingStateInfo {
  /** Close code of the socket that ended (4000 = heartbeat timeout seen by this client). */
  code?: number;
  /** Close reason (the server puts an ErrorCode there), or what failed on this side. */
  reason?: string;
  /** When reconnecting: the attempt number, counting from 1 since the last `welcome`. */
  attempt?: number;
  /** When reconnecting: how long until that attempt. */
  delayMs?: number;
}

export type WebSocketCtor = new (url: string) => WebSocket;

export interface SignalingOptions {
  url: string;
  /** Called before every (re)connect; the app refreshes an expired access token here. */
  getToken: () => Promise<string>;
  /**
   * A new access token to replace `staleToken` on the open socket (`auth.refresh`), asked for
   * ahead of its expiry: the app must refresh even though `staleToken` may still look valid
   * (or hand over a newer one that another tab already got). Without it `getToken()` is
   * asked, and while that returns the same token it is asked again, closer to the expiry.
   */
  getFreshToken?: (staleToken: string) => Promise<string>;
  protocolVersion?: number;
  WebSocketImpl?: WebSocketCtor;
  backoff?: Backoff;
  random?: () => number;
  clock?: Clock;
  /** How long to wait for `welcome` after starting a socket before trying again. */
  welcomeTimeoutMs?: number;
}

/** Close codes after which reconnecting cannot help (PROTOCOL.md 4.2). */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  WsCloseCode.PROTOCOL_VERSION, // reload the app
  WsCloseCode.PROTOCOL_VIOLATION, // a client bug: retrying would loop
  WsCloseCode.UNSUPPORTED_DATA,
  WsCloseCode.MESSAGE_TOO_BIG,
  WsCloseCode.KICKED,
  WsCloseCode.ROOM_CLOSED,
]);

/**
 * 4002 reasons after which a new token cannot help: the sign-in itself ended (logout
 * elsewhere, a reused refresh token) or the account was disabled. The person must sign in
 * again. Other 4002s (TOKEN_EXPIRED, INVALID_TOKEN) get one retry with a fresh token.
 */
export const SIGNED_OUT_REASONS: ReadonlySet<string> = new Set([
  ErrorCode.SESSION_REVOKED,
  ErrorCode.ACCOUNT_DISABLED,
]);

/** The socket closed because this person is signed out (see SIGNED_OUT_REASONS). */
export function isSignedOut(info: SignalingStateInfo | undefined): boolean {
  return (
    info?.code === WsCloseCode.UNAUTHENTICATED &&
    info.reason !== undefined &&
    SIGNED_OUT_REASONS.has(info.reason)
  );
}

/**
 * When the open socket's token is replaced (`auth.refresh`, PROTOCOL.md). The server closes
 * the socket with 4002 TOKEN_EXPIRED at `tokenExpiresAt` unless it got a new token; if all
 * tries fail, that close and the reconnect with a fresh token take over.
 */
export const TOKEN_REFRESH = {
  /** Share of the lifetime left (at `welcome` / `auth.refreshed`) after which to refresh... */
  atShare: 0.8,
  /** ...but at least this long before the expiry. */
  minLeadMs: 30_000,
  /** Tries per token, the first included; a failed one is retried after half the time left. */
  maxAttempts: 6,
  /** No try is started with less than this left before the expiry. */
  minLeftMs: 2_000,
  /** An `auth.refresh` with neither `auth.refreshed` nor `error` by then counts as failed. */
  replyTimeoutMs: 10_000,
} as const;

/**
 * Taking a connection over after its server drained (PROTOCOL.md, `hello.resume`).
 *
 * - Only a connection that had its `welcome` and then closed with 1012 is resumed: the
 *   next `hello` carries that welcome's `resumeToken`. Any other close (1006, 4002, a
 *   heartbeat timeout, 1000...) forgets the token; the next `hello` has no `resume`.
 * - A token goes out in one `hello` that the server acts on, never again: once a socket
 *   carried it and came back with anything but a refusal by a draining server, it is spent
 *   (a `welcome`, resumed or not, an error, a 1006 after the `hello`).
 * - The tries in between do not spend it: a socket that never opened (its `hello` never
 *   left), or one that a draining process closed with 1012 before any `welcome` (a load
 *   balancer that sent us back to the process that is stopping: it accepts and closes at
 *   once, without reading the `hello`), passes the token on to the next try.
 * - While a resume is pending the reconnect delay stays short (`maxDelayMs`), so the tries
 *   fall inside the server's handover window (15 s).
 * - `welcome.resumed` is the server's answer: true means the connection id is the old one.
 */
export const RESUME = {
  closeCode: WsCloseCode.SERVICE_RESTART,
  maxDelayMs: 2_000,
} as const;

/** Close code this client reports when it gave up on a silent socket. */
export const HEARTBEAT_TIMEOUT_CODE = 4000;

const SOCKET_OPEN = 1;

export class SignalingClosedError extends Error {
  constructor(readonly info: SignalingStateInfo) {
    super(`Signaling closed${info.reason ? `: ${info.reason}` : ''}`);
    this.name = 'SignalingClosedError';
  }
}

type MessageListener = (msg: ServerMessage) => void;
type StateEvents = { state: (state: SignalingState, info?: SignalingStateInfo) => void };

/**
 * One WebSocket to `/ws`, kept alive: `hello` first, a `ping` every heartbeat, a
 * reconnect with jittered exponential backoff when the socket drops or goes silent, and
 * a fresh token from `getToken()` on every try. While open, the token is replaced ahead of
 * its expiry (`auth.refresh`, see TOKEN_REFRESH), so a long call never has to reconnect.
 *
 * `send()` does not queue: while not `open` it drops the message and returns false.
 * Queued negotiation messages would be stale after most reconnects (the connection id
 * changes, so peers are rebuilt), and the room session re-sends `room.join` itself; the
 * one case where they are not, a resume, is the call session's to handle (CallSession).
 *
 * Resume: after a close with 1012 (the server is draining), the next `hello` carries the
 * `resumeToken` of the closed connection's `welcome` (see RESUME above), so the server can
 * hand the same connection id back (`welcome.resumed`) and the peers never notice.
 */
export class SignalingClient {
  private readonly opts: Required<Omit<SignalingOptions, 'WebSocketImpl'>> & {
    WebSocketImpl: WebSocketCtor | undefined;
  };
  private readonly listeners = new Map<ServerMessageType, Set<MessageListener>>();
  private readonly stateEvents = new Emitter<StateEvents>();
  private _state: SignalingState = 'idle';
  private _connectionId: string | undefined;
  private _userId: string | undefined;
  private _invalidMessages = 0;
  private socket: WebSocket | undefined;
  /** Bumped for every socket; events of an abandoned socket are ignored. */
  private generation = 0;
  /** Failed tries since the last `welcome`. */
  private attempt = 0;
  /** A 4002 since the last `welcome` already used its one retry with a fresh token. */
  private authRetried = false;
  private disposed = false;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private reconnectTimer: TimerId | undefined;
  private heartbeatTimer: TimerId | undefined;
  private deadTimer: TimerId | undefined;
  private welcomeTimer: TimerId | undefined;
  private refreshTimer: TimerId | undefined;
  /** The token the current socket was last authenticated with (`hello` or `auth.refresh`). */
  private socketToken: string | undefined;
  /** Server clock minus ours, from `welcome`: reads `tokenExpiresAt` on our clock. */
  private serverOffsetMs = 0;
  /** When the current socket's token expires, on our clock. */
  private tokenDeadline: number | undefined;
  /** Token refresh tries since the last `welcome` or `auth.refreshed`. */
  private refreshAttempts = 0;
  private refreshCounter = 0;
  /** The `auth.refresh` waiting for its answer and the token it carries. */
  private pendingRefresh: { ref: string; token: string } | undefined;
  /** `welcome.resumeToken` of the open connection. */
  private resumeToken: string | undefined;
  /** After a 1012: the token the next `hello` presents (see RESUME). */
  private resumeOffer: string | undefined;
  /** The resume token the current socket's `hello` carried. */
  private socketResume: string | undefined;
  /** The last `welcome` took over the connection that closed with 1012. */
  private _resumed = false;

  constructor(opts: SignalingOptions) {
    const getToken = opts.getToken;
    this.opts = {
      protocolVersion: PROTOCOL_VERSION,
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      clock: systemClock,
      welcomeTimeoutMs: 15_000,
      ...opts,
      getFreshToken: opts.getFreshToken ?? (() => getToken()),
      WebSocketImpl: opts.WebSocketImpl,
    };
  }

  get state(): SignalingState {
    return this._state;
  }
  /**
   * Assigned by the server in `welcome`; a new one after every reconnect, except when the
   * server honoured a resume after a 1012 (`resumed`): then it is the old one again.
   */
  get connectionId(): string | undefined {
    return this._connectionId;
  }
  /** The current connection is the one that closed with 1012, taken over (`welcome.resumed`). */
  get resumed(): boolean {
    return this._resumed;
  }
  /**
   * The connection closed with 1012 and the next `welcome` may hand it back: the peers'
   * links may be kept until it is known (see RESUME_CLOSE_CODE).
   */
  get resumePending(): boolean {
    return this.resumeOffer !== undefined || this.socketResume !== undefined;
  }
  get userId(): string | undefined {
    return this._userId;
  }
  /** Inbound frames that were not a valid `ServerMessage` (ignored). */
  get invalidMessages(): number {
    return this._invalidMessages;
  }

  /**
   * Starts connecting (from `idle`, or again from a `closed` that was not `close()`).
   * Resolves on the next `welcome`, even if that takes several tries; rejects with a
   * SignalingClosedError when the client gives up or is closed first.
   */
  connect(): Promise<void> {
    if (this.disposed) {
      return Promise.reject(new SignalingClosedError({ reason: 'closed by the client' }));
    }
    if (this._state === 'open') return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this._state === 'idle' || this._state === 'closed') {
      this.attempt = 0;
      this.authRetried = false;
      this.setState('connecting');
      void this.startSocket();
    }
    return done;
  }

  /** While waiting to reconnect: try now instead (the UI's "retry" button). */
  retryNow(): void {
    if (this._state !== 'reconnecting' || this.reconnectTimer === undefined) return;
    this.opts.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    void this.startSocket();
  }

  on<T extends ServerMessageType>(type: T, fn: (msg: ServerMessageOf<T>) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const listener = fn as MessageListener;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  onState(fn: (state: SignalingState, info?: SignalingStateInfo) => void): () => void {
    return this.stateEvents.on('state', fn);
  }

  /** The account changed while connected (`session.updated`): the app takes this user view. */
  onSessionUpdated(fn: (user: User) => void): () => void {
    return this.on('session.updated', (msg) => fn(msg.user));
  }

  /** Sends when `open`; otherwise drops the message and returns false (see the class note). */
  send(msg: ClientMessage): boolean {
    const socket = this.socket;
    if (this._state !== 'open' || !socket || socket.readyState !== SOCKET_OPEN) return false;
    try {
      socket.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  /** Final: closes the socket, never reconnects, rejects a pending `connect()`. */
  close(): void {
    if (this.disposed) return;
    this.disposed = true;
    const socket = this.detachSocket();
    this.clearTimer('reconnectTimer');
    safeClose(socket, WsCloseCode.NORMAL, 'client closed');
    if (this._state !== 'closed')
      this.finish({ code: WsCloseCode.NORMAL, reason: 'closed by the client' });
  }

  // ---- connection lifecycle ----

  private async startSocket(): Promise<void> {
    const generation = ++this.generation;
    let token: string;
    try {
      token = await this.opts.getToken();
    } catch (err) {
      if (generation !== this.generation || this.disposed) return;
      const reason = `token unavailable: ${err instanceof Error ? err.message : String(err)}`;
      // After a refused token the one retry has been used; a token we cannot even get is final.
      if (this.authRetried) return this.finish({ code: WsCloseCode.UNAUTHENTICATED, reason });
      return this.scheduleReconnect({ reason });
    }
    if (generation !== this.generation || this.disposed) return;

    let socket: WebSocket;
    try {
      const Impl = this.opts.WebSocketImpl ?? WebSocket;
      socket = new Impl(this.opts.url);
    } catch (err) {
      return this.scheduleReconnect({ reason: err instanceof Error ? err.message : String(err) });
    }
    this.socket = socket;
    this.socketToken = token;
    this.socketResume = undefined;
    const current = () => generation === this.generation && !this.disposed;
    socket.addEventListener('open', () => {
      if (!current()) return;
      // The token moves to this socket: its outcome decides whether it is spent (RESUME).
      const resume = this.resumeOffer;
      this.resumeOffer = undefined;
      this.socketResume = resume;
      socket.send(
        JSON.stringify({
          type: 'hello',
          token,
          protocolVersion: this.opts.protocolVersion,
          ...(resume !== undefined ? { resume } : {}),
        }),
      );
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (current()) this.onFrame(event.data);
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      if (!current()) return;
      this.detachSocket();
      this.onClosed({ code: event.code, reason: event.reason });
    });
    // An 'error' event is always followed by 'close', which does the work.
    this.armDeadTimer();
    this.welcomeTimer = this.opts.clock.setTimeout(() => {
      this.welcomeTimer = undefined;
      if (current()) this.abandon('no welcome in time');
    }, this.opts.welcomeTimeoutMs);
  }

  private onFrame(data: unknown): void {
    // Any frame is a sign of life, even one we cannot use.
    this.armDeadTimer();
    let parsed: ServerMessage;
    try {
      if (typeof data !== 'string') throw new Error('binary frame');
      const result = ServerMessage.safeParse(JSON.parse(data));
      if (!result.success) throw result.error;
      parsed = result.data;
    } catch {
      this._invalidMessages += 1;
      return;
    }
    if (parsed.type === 'welcome') this.onWelcome(parsed);
    else if (parsed.type === 'auth.refreshed') this.onAuthRefreshed(parsed);
    else if (
      parsed.type === 'error' &&
      this.pendingRefresh &&
      parsed.ref === this.pendingRefresh.ref
    ) {
      this.onRefreshRefused();
    }
    for (const fn of [...(this.listeners.get(parsed.type) ?? [])]) callListener(fn, [parsed]);
  }

  private onWelcome(msg: ServerMessageOf<'welcome'>): void {
    this.clearTimer('welcomeTimer');
    this._connectionId = msg.connectionId;
    this._resumed = msg.resumed;
    this.resumeOffer = undefined;
    this.socketResume = undefined;
    this.resumeToken = msg.resumeToken;
    this._userId = msg.userId;
    this.attempt = 0;
    this.authRetried = false;
    this.clearTimer('heartbeatTimer');
    this.heartbeatTimer = this.opts.clock.setInterval(
      () => this.send({ type: 'ping' }),
      msg.heartbeatIntervalMs || WS_LIMITS.heartbeatIntervalMs,
    );
    this.serverOffsetMs = msg.serverTime > 0 ? msg.serverTime - this.opts.clock.now() : 0;
    this.refreshAttempts = 0;
    this.pendingRefresh = undefined;
    this.scheduleTokenRefresh(msg.tokenExpiresAt);
    this.setState('open');
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  private onClosed(info: { code: number; reason: string }): void {
    this.planResume(info.code);
    if (FINAL_CLOSE_CODES.has(info.code) || isSignedOut(info)) return this.finish(info);
    if (info.code === WsCloseCode.UNAUTHENTICATED) {
      if (this.authRetried) return this.finish(info);
      this.authRetried = true;
    }
    this.scheduleReconnect(info);
  }

  /**
   * What the next `hello` presents after the current socket ended with `code` (RESUME).
   * Runs before the state leaves `open`, so `open` still means "this socket had a welcome".
   */
  private planResume(code: number): void {
    const welcomed = this._state === 'open';
    const carried = this.socketResume;
    const token = this.resumeToken;
    this.socketResume = undefined;
    this.resumeToken = undefined;
    if (welcomed) {
      // The closed connection is the one to resume, and only after a 1012.
      this.resumeOffer = code === RESUME.closeCode ? token : undefined;
    } else if (carried !== undefined) {
      // Refused unread by a draining process: the next try presents it; otherwise spent.
      this.resumeOffer = code === RESUME.closeCode ? carried : undefined;
    }
    // A socket that never opened leaves resumeOffer as it was.
  }

  // ---- token refresh on the open socket ----

  /** Plans the next `auth.refresh` for a token the server says expires at `expiresAt`. */
  private scheduleTokenRefresh(expiresAt: number): void {
    this.clearTimer('refreshTimer');
    this.tokenDeadline = expiresAt - this.serverOffsetMs;
    const left = this.tokenDeadline - this.opts.clock.now();
    if (left <= 0) return;
    const delay = Math.max(
      0,
      Math.min(left * TOKEN_REFRESH.atShare, left - TOKEN_REFRESH.minLeadMs),
    );
    this.refreshTimer = this.opts.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refreshToken();
    }, delay);
  }

  private async refreshToken(): Promise<void> {
    const generation = this.generation;
    const stale = this.socketToken;
    if (stale === undefined || this._state !== 'open') return;
    this.refreshAttempts += 1;
    let token: string;
    try {
      token = await this.opts.getFreshToken(stale);
    } catch {
      if (generation === this.generation && !this.disposed) this.retryTokenRefresh();
      return;
    }
    if (generation !== this.generation || this.disposed || this._state !== 'open') return;
    // A provider that refreshes only close to the expiry (getToken) still has the old one.
    if (token === stale) return this.retryTokenRefresh();
    const ref = `auth-${++this.refreshCounter}`;
    if (!this.send({ type: 'auth.refresh', ref, token })) return this.retryTokenRefresh();
    this.pendingRefresh = { ref, token };
    this.refreshTimer = this.opts.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      this.onRefreshRefused();
    }, TOKEN_REFRESH.replyTimeoutMs);
  }

  private onAuthRefreshed(msg: ServerMessageOf<'auth.refreshed'>): void {
    const pending = this.pendingRefresh;
    if (pending && (msg.ref === undefined || msg.ref === pending.ref)) {
      this.socketToken = pending.token;
      this.pendingRefresh = undefined;
    }
    this.refreshAttempts = 0;
    // Whoever asked, this is how long the server now keeps the socket.
    this.scheduleTokenRefresh(msg.tokenExpiresAt);
  }

  /** The server refused the new token (`error`), or never answered. */
  private onRefreshRefused(): void {
    this.pendingRefresh = undefined;
    this.retryTokenRefresh();
  }

  /** Another try after half the time left, while tries and time remain. */
  private retryTokenRefresh(): void {
    this.clearTimer('refreshTimer');
    const deadline = this.tokenDeadline;
    if (deadline === undefined || this.refreshAttempts >= TOKEN_REFRESH.maxAttempts) return;
    const left = deadline - this.opts.clock.now();
    const delay = Math.max(1_000, left / 2);
    if (left - delay < TOKEN_REFRESH.minLeftMs) return;
    this.refreshTimer = this.opts.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refreshToken();
    }, delay);
  }

  /**
   * Gives up on the current socket without waiting for its close handshake (which a dead
   * path would make the browser wait a long time for).
   */
  private abandon(reason: string): void {
    this.planResume(HEARTBEAT_TIMEOUT_CODE);
    const socket = this.detachSocket();
    safeClose(socket, HEARTBEAT_TIMEOUT_CODE, reason);
    this.scheduleReconnect({ code: HEARTBEAT_TIMEOUT_CODE, reason });
  }

  private scheduleReconnect(info: SignalingStateInfo): void {
    this.generation += 1;
    this.attempt += 1;
    const backoff = this.resumePending
      ? { ...this.opts.backoff, maxMs: Math.min(this.opts.backoff.maxMs, RESUME.maxDelayMs) }
      : this.opts.backoff;
    const delayMs = backoffDelay(this.attempt, backoff, this.opts.random);
    this.clearTimer('reconnectTimer');
    this.reconnectTimer = this.opts.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.startSocket();
    }, delayMs);
    this.setState('reconnecting', { ...info, attempt: this.attempt, delayMs });
  }

  private finish(info: SignalingStateInfo): void {
    this.generation += 1;
    this.clearTimer('reconnectTimer');
    this.setState('closed', info);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new SignalingClosedError(info));
  }

  private detachSocket(): WebSocket | undefined {
    const socket = this.socket;
    this.socket = undefined;
    this.generation += 1;
    this.clearTimer('heartbeatTimer');
    this.clearTimer('deadTimer');
    this.clearTimer('welcomeTimer');
    this.clearTimer('refreshTimer');
    this.pendingRefresh = undefined;
    this.tokenDeadline = undefined;
    return socket;
  }

  /** No frame at all for `deadAfterMs` means the server or the path to it is gone. */
  private armDeadTimer(): void {
    this.clearTimer('deadTimer');
    const generation = this.generation;
    this.deadTimer = this.opts.clock.setTimeout(() => {
      this.deadTimer = undefined;
      if (generation === this.generation && !this.disposed) this.abandon('heartbeat timeout');
    }, WS_LIMITS.deadAfterMs);
  }

  private clearTimer(
    name: 'reconnectTimer' | 'heartbeatTimer' | 'deadTimer' | 'welcomeTimer' | 'refreshTimer',
  ): void {
    const id = this[name];
    if (id === undefined) return;
    if (name === 'heartbeatTimer') this.opts.clock.clearInterval(id);
    else this.opts.clock.clearTimeout(id);
    this[name] = undefined;
  }

  private setState(state: SignalingState, info?: SignalingStateInfo): void {
    if (state !== 'open') this._connectionId = undefined;
    this._state = state;
    this.stateEvents.emit('state', state, info);
  }
}

function safeClose(socket: WebSocket | undefined, code: number, reason: string): void {
  try {
    socket?.close(code, reason);
  } catch {
    // Already closing or closed: nothing left to release.
  }
}
