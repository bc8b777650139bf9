import type {
  ClientMessage,
  RoomJoinedMessage,
  ServerMessageOf,
  ServerMessageType,
} from '@parley/protocol';
import { Emitter } from './emitter';
import type { SignalingState, SignalingStateInfo } from './signaling';

/** The part of SignalingClient a room session needs (tests may pass a stub). */
export interface RoomSignaling {
  readonly state: SignalingState;
  readonly connectionId: string | undefined;
  on<T extends ServerMessageType>(type: T, fn: (msg: ServerMessageOf<T>) => void): () => void;
  onState(fn: (state: SignalingState, info?: SignalingStateInfo) => void): () => void;
  send(msg: ClientMessage): boolean;
}

export interface MediaUpdate {
  audio: boolean;
  video: boolean;
  screen: boolean;
  handRaised?: boolean;
}

/** `room.join` refused; `code` is the server's ErrorCode (NOT_APPROVED, ROOM_CLOSED, ...). */
export class JoinError extends Error {
  constructor(
    readonly code: string,
    message = code,
  ) {
    super(message);
    this.name = 'JoinError';
  }
}

/**
 * - `idle`: not asked to join (or the first join was refused).
 * - `joining`: `room.join` sent or waiting for the socket to be open.
 * - `joined`: `room.joined` received on the current connection.
 * - `resuming`: the socket dropped while joined; `room.join` goes out again on the next
 *   connection.
 * - `left`: `leave()` was called; nothing is re-sent any more.
 */
export type RoomPhase = 'idle' | 'joining' | 'joined' | 'resuming' | 'left';

type RoomSessionEvents = {
  /** `room.joined` arrived: the first one, or after a reconnect (`resumed`). */
  joined: (msg: RoomJoinedMessage, info: { resumed: boolean }) => void;
  /** The socket dropped while joined; the session rejoins when it is back. */
  suspended: () => void;
  /** `room.join` was refused after a reconnect (the first refusal rejects join()). */
  resumeFailed: (code: string) => void;
};

/**
 * Being in one room's call across socket drops. A reconnected socket is a new connection
 * (new connectionId) that is in no room, so after every `welcome` while we want to be in
 * the room, `room.join` goes out again with the current media state; the `room.joined`
 * that answers carries the roster to rebuild the peers from. After a 1012 the server may
 * hand the old connection back (`welcome.resumed`, same connectionId, still in the call):
 * `room.join` goes out all the same, and its `room.joined` (same `self.connectionId`) lets
 * the peers stay as they are. Knows nothing of peers.
 */
export class RoomSession {
  private readonly events = new Emitter<RoomSessionEvents>();
  private readonly unsubscribe: (() => void)[] = [];
  private _phase: RoomPhase = 'idle';
  /** We want to be in the room: join() was called and neither leave() nor a refusal since. */
  private wanted = false;
  private everJoined = false;
  /** The connection our current membership belongs to. */
  private joinedOn: string | undefined;
  /** Our own earlier connections: a roster sent right after a reconnect may still list them. */
  private readonly formerConnections = new Set<string>();
  private pendingRef: string | undefined;
  private refCounter = 0;
  private firstJoin:
    { resolve: (m: RoomJoinedMessage) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly signaling: RoomSignaling,
    readonly roomId: string,
    private readonly media: () => MediaUpdate,
  ) {
    this.unsubscribe.push(
      signaling.onState((state) => this.onSignalingState(state)),
      signaling.on('room.joined', (msg) => this.onJoined(msg)),
      signaling.on('error', (msg) => this.onError(msg)),
    );
  }

  get phase(): RoomPhase {
    return this._phase;
  }

  on<K extends keyof RoomSessionEvents>(event: K, fn: RoomSessionEvents[K]): () => void {
    return this.events.on(event, fn);
  }

  /**
   * Sends `room.join` (now if the socket is open, else as soon as it is). Resolves with
   * the first `room.joined`; rejects with a JoinError carrying the server's code.
   */
  join(): Promise<RoomJoinedMessage> {
    if (this._phase !== 'idle') return Promise.reject(new JoinError('ALREADY_JOINING'));
    this.wanted = true;
    this._phase = 'joining';
    const done = new Promise<RoomJoinedMessage>((resolve, reject) => {
      this.firstJoin = { resolve, reject };
    });
    this.sendJoin();
    return done;
  }

  /** Sends `room.join` again now, e.g. after a ROOM_FULL refusal on resume. */
  retry(): void {
    if (this._phase === 'left' || this._phase === 'idle') return;
    this.wanted = true;
    this.sendJoin();
  }

  /** Leaves for good: `room.leave` if we are in, and no more rejoining. */
  leave(): void {
    if (this._phase === 'joined' && this.signaling.state === 'open') {
      this.signaling.send({ type: 'room.leave' });
    }
    this.stop();
  }

  /** Stops rejoining without telling the server (kicked, room closed: it already knows). */
  stop(): void {
    this.wanted = false;
    this.pendingRef = undefined;
    this._phase = 'left';
    this.firstJoin?.reject(new JoinError('LEFT', 'Left before joining'));
    this.firstJoin = undefined;
  }

  /** The first join cannot complete (the socket gave up): join() rejects, join() may run again. */
  abortJoin(code: string): void {
    if (this._phase !== 'joining' || this.everJoined) return;
    this.wanted = false;
    this.pendingRef = undefined;
    this._phase = 'idle';
    const first = this.firstJoin;
    this.firstJoin = undefined;
    first?.reject(new JoinError(code));
  }

  dispose(): void {
    this.stop();
    for (const off of this.unsubscribe.splice(0)) off();
    this.events.clear();
  }

  private sendJoin(): void {
    const { signaling } = this;
    if (!this.wanted || this.pendingRef !== undefined || signaling.state !== 'open') return;
    if (this.joinedOn !== undefined && this.joinedOn === signaling.connectionId) return;
    const ref = `join-${++this.refCounter}`;
    const media = this.media();
    const sent = signaling.send({
      type: 'room.join',
      ref,
      roomId: this.roomId,
      media: {
        audio: media.audio,
        video: media.video,
        screen: media.screen,
        ...(media.handRaised !== undefined ? { handRaised: media.handRaised } : {}),
      },
    });
    if (sent) this.pendingRef = ref;
  }

  private onSignalingState(state: SignalingState): void {
    if (state === 'open') {
      this.sendJoin();
      return;
    }
    // Whatever was in flight died with the socket.
    this.pendingRef = undefined;
    if (this._phase === 'joined') {
      if (this.joinedOn) this.formerConnections.add(this.joinedOn);
      this.joinedOn = undefined;
      this._phase = 'resuming';
      this.events.emit('suspended');
    }
  }

  private onJoined(msg: RoomJoinedMessage): void {
    if (msg.roomId !== this.roomId || msg.ref === undefined || msg.ref !== this.pendingRef) return;
    this.pendingRef = undefined;
    this.joinedOn = msg.self.connectionId;
    // A resumed connection is ours again, not a former one.
    this.formerConnections.delete(msg.self.connectionId);
    this._phase = 'joined';
    const resumed = this.everJoined;
    this.everJoined = true;
    const roster = {
      ...msg,
      participants: msg.participants.filter((p) => !this.formerConnections.has(p.connectionId)),
    };
    const first = this.firstJoin;
    this.firstJoin = undefined;
    this.events.emit('joined', roster, { resumed });
    first?.resolve(roster);
  }

  private onError(msg: ServerMessageOf<'error'>): void {
    if (msg.ref === undefined || msg.ref !== this.pendingRef) return;
    this.pendingRef = undefined;
    if (!this.everJoined) {
      this.wanted = false;
      this._phase = 'idle';
      const first = this.firstJoin;
      this.firstJoin = undefined;
      first?.reject(new JoinError(msg.code, msg.message));
      return;
    }
    // Stay `resuming` without resending on our own: retry() or the next reconnect will.
    this.events.emit('resumeFailed', msg.code);
  }
}
