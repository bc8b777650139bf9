import type { ServerMessageType, User } from '@parley/protocol';
import { WebSocket } from 'ws';
import type { TimerId } from '../../platform/clock.js';
import type { CallerContext } from '../../platform/request-context.js';
import type { BucketLevel, TokenBucket } from './token-bucket.js';

/**
 * Where one socket is in the protocol (PROTOCOL.md 1.2). Each state carries only what
 * is true in it: no user before `hello`, no room outside a call. `closing` is final:
 * the socket is being (or has been) closed and nothing more is handled for it.
 */
export type SessionState =
  | { kind: 'awaiting-hello'; helloTimer: TimerId }
  | { kind: 'ready'; user: User }
  // No role here: a promotion changes it in the roster while the socket stays in the room.
  // `direct`: the room of a direct call, whose joins and signals the calls module hears of.
  // `appointment`: an appointment's room, whose joins and departures appointments hear of.
  | { kind: 'in-room'; user: User; roomId: string; direct?: true; appointment?: true }
  | { kind: 'closing' };

export type InRoomState = Extract<SessionState, { kind: 'in-room' }>;

/** A serialized server message and its type (the type labels the sent-messages metric). */
export type Outbound = { payload: string; type: ServerMessageType };
export type ReadyState = Extract<SessionState, { kind: 'ready' }>;

type Task = () => Promise<void>;
type OnTaskError = (err: unknown) => void;

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}

/** No keys counted: one shared empty list, not one per socket. */
const NO_KEYS: readonly string[] = Object.freeze([]);

/**
 * One socket and its bookkeeping. The hub owns the state transitions (they keep its
 * indexes right); handlers read `state`, and after every `await` they compare it with the
 * state they started from, because a kick or a close may have moved it meanwhile.
 * Thousands stay open idle, so it keeps plain fields rather than small objects beside it
 * (each object costs ~40 bytes per socket): the token's fields, the origin's, the bucket's.
 */
export class Connection implements BucketLevel {
  state: SessionState;
  /** monotonic ms of the last frame or pong from the client */
  lastSeen: number;
  /** Set once at `hello`; kept through `closing`, for logs. */
  authenticatedAs: string | undefined;
  /** the heartbeat gave up on it; the disconnect is reported as `timeout` */
  timedOut = false;
  /**
   * The sign-in session and expiry (epoch ms) of the token it authenticated with (`hello`,
   * then each `auth.refresh`): a revoked session or an expired token closes it with 4002.
   * Both undefined before `hello`.
   */
  sessionId: string | undefined;
  tokenExpiresAt: number | undefined;
  /** Secret to this connection (`welcome.resumeToken`): resumes it after a 1012. */
  resumeToken: string | undefined;
  /** The id it is counted by in the connection caps: its first one, which never changes. */
  readonly countId: string;
  /**
   * The caps' keys it holds a place under (caps.ts), given back when it ends. At most an
   * address and an account: an exact-size array replaced on change, not a Set (~150 bytes).
   */
  counted: readonly string[] = NO_KEYS;
  /** Its message-rate bucket (token-bucket.ts `takeToken`): tokens left, and when counted. */
  tokens: number;
  tokensAt: number;
  /** Who opened it (address, upgrade's user agent): what its messages cause is theirs. */
  readonly ip: string;
  readonly userAgent: string | null;
  /** `quality.report`s allowed (QUALITY_LIMITS.reportsPerMinute); made at the first one. */
  qualityReports: TokenBucket | undefined;
  /** `reaction.send`s allowed (REACTION_LIMITS); made at the first one. */
  reactions: TokenBucket | undefined;
  /**
   * Room fan-out caught while a `room.join` is between "in the roster" and "sent
   * `room.joined`"; flushed right after it, so the joined snapshot always comes first.
   */
  private held: Outbound[] | undefined;
  /** Tasks waiting behind the running one, as task, onError pairs (see `enqueue`). */
  private queue: (Task | OnTaskError)[] | undefined;
  /** The run that works through `queue`; undefined while nothing is queued. */
  private running: Promise<void> | undefined;

  /** Its origin for the audit log, made when asked (rarely), not kept per socket. */
  get origin(): CallerContext {
    return { ip: this.ip, userAgent: this.userAgent };
  }

  constructor(
    /**
     * Server-generated, random; told to the client in `welcome`. Changes once at most:
     * at `hello`, when the socket resumes a connection handed over by a stopping process.
     */
    public id: string,
    readonly socket: WebSocket,
    origin: CallerContext,
    initial: SessionState,
    /** Monotonic milliseconds (the hub's timers), for liveness and the message rate. */
    now: () => number,
    rate: { perSecond: number; burst: number },
  ) {
    this.state = initial;
    this.countId = id;
    this.ip = origin.ip;
    this.userAgent = origin.userAgent;
    this.lastSeen = now();
    this.tokens = rate.burst;
    this.tokensAt = this.lastSeen;
  }

  /**
   * Resolves when the socket has closed (handshake done, or terminated). Made when asked
   * (shutdown only), not kept per socket.
   */
  get closed(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /**
   * Still in exactly this state object? Handlers check it after each `await`; a method,
   * not `conn.state === s` inline, because TypeScript would keep the narrowing from before.
   */
  isIn(state: SessionState): boolean {
    return this.state === state;
  }

  get userId(): string | undefined {
    const s = this.state;
    return s.kind === 'ready' || s.kind === 'in-room' ? s.user.id : undefined;
  }

  /**
   * Runs tasks for this connection strictly one after another, in arrival order: a
   * `signal` sent after `room.join` is handled after it, and the relay keeps the order.
   */
  enqueue(task: Task, onError: OnTaskError): void {
    // One run per busy spell, not a promise chain per message: a busy socket's tasks only
    // wait in an array (fan-out and relays were losing their tail latency to this garbage).
    if (this.running) {
      (this.queue ??= []).push(task, onError);
      return;
    }
    this.running = this.work(task, onError);
  }

  private async work(first: Task, firstError: OnTaskError): Promise<void> {
    // Never inside the caller's stack: a task always starts after `enqueue` returned.
    await Promise.resolve();
    let task = first;
    let onError = firstError;
    for (;;) {
      try {
        await task();
      } catch (err) {
        try {
          onError(err);
        } catch {
          // An error handler that throws must not stop this connection's queue.
        }
      }
      const queue = this.queue;
      if (!queue || queue.length === 0) break;
      task = queue.shift() as Task;
      onError = queue.shift() as OnTaskError;
    }
    this.running = undefined;
  }

  /** Resolves when everything queued so far (and anything queued meanwhile) has run. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  hold(): void {
    this.held = [];
  }

  /** Returns what was held (to be written now) and stops holding. */
  release(): Outbound[] {
    const held = this.held ?? [];
    this.held = undefined;
    return held;
  }

  /** True when the payload was kept for later instead of being written. */
  holdIfJoining(message: Outbound): boolean {
    if (!this.held) return false;
    this.held.push({ payload: message.payload, type: message.type });
    return true;
  }
}
