import { PROTOCOL_VERSION, ServerMessage, WS_LIMITS, WsCloseCode } from '@parley/protocol';
import type { ClientMessage, ServerMessageOf, ServerMessageType } from '@parley/protocol';
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
 * - `closed`: given up (a final close code, a token refused twice) or `close()` was
 *   called. `connect()` may start again unless it was `close()`.
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
 * a fresh token from `getToken()` on every try.
 *
 * `send()` does not queue: while not `open` it drops the message and returns false.
 * Queued negotiation messages would be stale after a reconnect anyway (the connection
 * id changes, so peers are rebuilt), and the room session re-sends `room.join` itself.
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

  constructor(opts: SignalingOptions) {
    this.opts = {
      protocolVersion: PROTOCOL_VERSION,
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      clock: systemClock,
      welcomeTimeoutMs: 15_000,
      ...opts,
      WebSocketImpl: opts.WebSocketImpl,
    };
  }

  get state(): SignalingState {
    return this._state;
  }
  /** Assigned by the server in `welcome`; a new one after every reconnect. */
  get connectionId(): string | undefined {
    return this._connectionId;
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
    const current = () => generation === this.generation && !this.disposed;
    socket.addEventListener('open', () => {
      if (!current()) return;
      socket.send(
        JSON.stringify({ type: 'hello', token, protocolVersion: this.opts.protocolVersion }),
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
    for (const fn of [...(this.listeners.get(parsed.type) ?? [])]) callListener(fn, [parsed]);
  }

  private onWelcome(msg: ServerMessageOf<'welcome'>): void {
    this.clearTimer('welcomeTimer');
    this._connectionId = msg.connectionId;
    this._userId = msg.userId;
    this.attempt = 0;
    this.authRetried = false;
    this.clearTimer('heartbeatTimer');
    this.heartbeatTimer = this.opts.clock.setInterval(
      () => this.send({ type: 'ping' }),
      msg.heartbeatIntervalMs || WS_LIMITS.heartbeatIntervalMs,
    );
    this.setState('open');
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  private onClosed(info: { code: number; reason: string }): void {
    if (FINAL_CLOSE_CODES.has(info.code)) return this.finish(info);
    if (info.code === WsCloseCode.UNAUTHENTICATED) {
      if (this.authRetried) return this.finish(info);
      this.authRetried = true;
    }
    this.scheduleReconnect(info);
  }

  /**
   * Gives up on the current socket without waiting for its close handshake (which a dead
   * path would make the browser wait a long time for).
   */
  private abandon(reason: string): void {
    const socket = this.detachSocket();
    safeClose(socket, HEARTBEAT_TIMEOUT_CODE, reason);
    this.scheduleReconnect({ code: HEARTBEAT_TIMEOUT_CODE, reason });
  }

  private scheduleReconnect(info: SignalingStateInfo): void {
    this.generation += 1;
    this.attempt += 1;
    const delayMs = backoffDelay(this.attempt, this.opts.backoff, this.opts.random);
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
    name: 'reconnectTimer' | 'heartbeatTimer' | 'deadTimer' | 'welcomeTimer',
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
