import { REACTION_LIMITS, WsCloseCode } from '@parley/protocol';
import type {
  ClientSignalMessage,
  LobbyEntry,
  ModerationAppliedMessage,
  ModerationGrantedMessage,
  ParticipantRole,
  Reaction,
  RoomJoinedMessage,
  RoomSummary,
  RosterEntry,
  ServerMessageOf,
  SignalPayload,
} from '@parley/protocol';
import { ClockOffset, systemClock } from './clock';
import type { Clock, TimerId } from './clock';
import { Emitter } from './emitter';
import type { LocalMedia } from './media';
import { Mesh } from './mesh';
import type { PeerConnectionCtor } from './peer';
import type { LinkHealth } from './repair';
import { RoomSession } from './room-session';
import type { MediaUpdate } from './room-session';
import { isSignedOut } from './signaling';
import type { SignalingClient, SignalingState, SignalingStateInfo } from './signaling';
import type { LinkStats, Quality } from './stats';

export type CallConnection = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface CallEnded {
  reason: 'left' | 'kicked' | 'closed' | 'failed';
  /**
   * The server's reason or error code, e.g. `ended`, `expired`, `NOT_APPROVED`; with
   * `failed`, SESSION_REVOKED or ACCOUNT_DISABLED mean signed out (sign in again).
   */
  detail?: string;
}

export interface Participant {
  entry: RosterEntry;
  /** Their audio and camera video (never the screen): what plays their sound. */
  stream: MediaStream | undefined;
  /** Their camera video; it may carry nothing while `entry.media.video` is false. */
  cameraTrack: MediaStreamTrack | undefined;
  /** Their shared screen, only while `entry.media.screen` says they share. */
  screenTrack: MediaStreamTrack | undefined;
  /** When their hand went up (ms, server clock), null while it is down: the queue order. */
  handRaisedAt: number | null;
  connectionState: RTCPeerConnectionState;
  /** The link's repair state: `repairing` while it is late or being rebuilt (LinkRepair). */
  health: LinkHealth;
  quality: Quality;
  stats: LinkStats | undefined;
}

export interface SelfInfo {
  connectionId: string;
  userId: string;
  role: ParticipantRole;
}

export interface CallSessionOptions {
  signaling: SignalingClient;
  roomId: string;
  media: LocalMedia;
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  RTCPeerConnectionImpl?: PeerConnectionCtor;
  createMediaStream?: () => MediaStream;
  clock?: Clock;
  /** How long `reconnecting` lasts before the banner says `failed` (trying goes on). */
  failAfterMs?: number;
  /**
   * After a 1012 with a resume under way, how long the call keeps saying `connected`
   * before `reconnecting` (RESUME_QUIET_MS): the peer links and media are not affected.
   */
  resumeQuietMs?: number;
  statsIntervalMs?: number;
  /** Unexpected engine errors (a failed setRemoteDescription...); the call keeps going. */
  onError?: (error: unknown, context: string) => void;
}

/**
 * What became of a reaction: `limited` past REACTION_LIMITS (the server would refuse it with
 * RATE_LIMITED), `not-sent` outside the call or with the socket down.
 */
export type ReactionResult = 'sent' | 'limited' | 'not-sent';

/** Someone's reaction (ours included: the server echoes it). */
export interface CallReaction {
  connectionId: string;
  userId: string;
  emoji: Reaction;
}

type CallEvents = {
  change: () => void;
  ended: (why: CallEnded) => void;
  /** A knock to show (also each new one a `moderation.granted` brings). */
  'lobby-request': (entry: LobbyEntry) => void;
  reaction: (reaction: CallReaction) => void;
  /** A host or co-host acted on us; already applied (mic off, hand down) when this fires. */
  moderation: (msg: ModerationAppliedMessage) => void;
  /** We moderate now; `self.role` and `lobby` are already updated when this fires. */
  'moderation-granted': (msg: ModerationGrantedMessage) => void;
};

/**
 * A server that drains closes with 1012 and the next socket usually takes the connection
 * over within a second or two (`welcome.resumed`): the peer links never notice, so the
 * call shows `reconnecting` only if that takes longer than this.
 */
export const RESUME_QUIET_MS = 3_000;

/** Negotiation messages kept while a resume is under way (see CallSession.sendSignal). */
const MAX_HELD_SIGNALS = 200;

/** Resume refusals that end the call, and how. Others (ROOM_FULL, INTERNAL) can be retried. */
const RESUME_ENDS: Record<string, CallEnded['reason']> = {
  KICKED_FROM_ROOM: 'kicked',
  ROOM_CLOSED: 'closed',
  ROOM_NOT_FOUND: 'closed',
  NOT_APPROVED: 'failed',
  JOIN_DENIED: 'failed',
};

/**
 * One person's side of a call: the facade the call page uses. Wires the room session
 * (join, resume after a drop), the mesh of peer links, local media and stats, and turns
 * them into a few readable properties plus `change`, `ended` and notice events (lobby
 * requests, reactions, moderation). The page re-reads the properties on `change`.
 */
export class CallSession {
  private readonly opts: CallSessionOptions;
  private readonly signaling: SignalingClient;
  private readonly media: LocalMedia;
  private readonly clock: Clock;
  private readonly room: RoomSession;
  private readonly mesh: Mesh;
  private readonly events = new Emitter<CallEvents>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly roster = new Map<string, RosterEntry>();
  private _lobby: LobbyEntry[] = [];
  private _self: SelfInfo | undefined;
  private _selfEntry: RosterEntry | undefined;
  private _room: RoomSummary | undefined;
  private _spotlight: string | null = null;
  private _handRaised = false;
  /** The server's clock, from every `serverTime` we get (welcome, room.joined, pong). */
  private readonly serverClock = new ClockOffset();
  /** Local token bucket mirroring the server's REACTION_LIMITS, so we never get RATE_LIMITED. */
  private reactionTokens: number = REACTION_LIMITS.burst;
  private reactionRefilledAt: number;
  private _connection: CallConnection = 'connecting';
  private _ended: CallEnded | undefined;
  private failTimer: TimerId | undefined;
  private quietTimer: TimerId | undefined;
  /**
   * Signals for our peers that could not go out while a resume was under way, in order;
   * sent once `room.joined` confirms the same connection id, dropped otherwise.
   */
  private held: ClientSignalMessage[] = [];
  /** The media state the server has from us (sent in room.join or media.update). */
  private lastSentMedia: string | undefined;

  constructor(opts: CallSessionOptions) {
    this.opts = opts;
    this.signaling = opts.signaling;
    this.media = opts.media;
    this.clock = opts.clock ?? systemClock;
    this.reactionRefilledAt = this.clock.now();
    this.room = new RoomSession(opts.signaling, opts.roomId, () => this.mediaForJoin());
    this.mesh = new Mesh({
      local: opts.media,
      send: (to, payload) => this.sendSignal(to, payload),
      configuration: {
        iceServers: opts.iceServers ?? [],
        iceTransportPolicy: opts.iceTransportPolicy ?? 'all',
        bundlePolicy: 'max-bundle',
      },
      RTCPeerConnectionImpl: opts.RTCPeerConnectionImpl,
      createMediaStream: opts.createMediaStream,
      clock: this.clock,
      statsIntervalMs: opts.statsIntervalMs,
      onChange: () => this.changed(),
      onError: (error, context) => this.reportError(error, context),
      // For the operators' call-quality numbers; only counted from inside the call.
      reportQuality: (report) => {
        if (!this._ended && this.room.phase === 'joined') {
          this.signaling.send({ type: 'quality.report', ...report });
        }
      },
    });
    this.listen();
  }

  // ---- what the page reads ----

  get self(): SelfInfo | undefined {
    return this._self;
  }
  /** Our own roster entry as the server last told it (undefined until it echoed one). */
  get selfEntry(): RosterEntry | undefined {
    return this._selfEntry;
  }
  /** The connection a host put in the spotlight for everyone, or null. */
  get spotlight(): string | null {
    return this._spotlight;
  }
  /** Our own hand. */
  get handRaised(): boolean {
    return this._handRaised;
  }
  /** When the meeting began (ms, server clock), null while nobody is in the call. */
  get meetingStartedAt(): number | null {
    const at = this._room?.meetingStartedAt;
    return at ? Date.parse(at) : null;
  }
  /** Milliseconds to add to our clock to read the server's (0 before any sample). */
  get serverOffset(): number {
    return this.serverClock.offset;
  }
  /** The server's clock now: the meeting has run `serverNow() - meetingStartedAt`. */
  serverNow(): number {
    return this.serverClock.serverNow(this.clock.now());
  }
  get roomSummary(): RoomSummary | undefined {
    return this._room;
  }
  get connection(): CallConnection {
    return this._connection;
  }
  get ended(): CallEnded | undefined {
    return this._ended;
  }
  /** Waiting knockers (hosts and co-hosts only get any). */
  get lobby(): LobbyEntry[] {
    return [...this._lobby];
  }
  /** Everyone else in the call by connection id, with their stream and link health. */
  get participants(): ReadonlyMap<string, Participant> {
    const out = new Map<string, Participant>();
    for (const [id, entry] of this.roster) {
      const peer = this.mesh.get(id);
      out.set(id, {
        entry,
        stream: peer?.link.remoteStream,
        cameraTrack: peer?.link.remoteCameraTrack,
        // The screen's receiver stays after a share stops; the roster says whether one is on.
        screenTrack: entry.media.screen ? peer?.link.remoteScreenTrack : undefined,
        handRaisedAt: entry.handRaisedAt ? Date.parse(entry.handRaisedAt) : null,
        connectionState: peer?.link.connectionState ?? 'new',
        health: peer?.health ?? { state: 'connecting', step: 'none', repairs: 0 },
        quality: peer?.quality ?? 'unknown',
        stats: peer?.stats,
      });
    }
    return out;
  }

  on<K extends keyof CallEvents>(event: K, fn: CallEvents[K]): () => void {
    return this.events.on(event, fn);
  }

  /** Remote speaking level 0..1 from RTP audio levels. */
  audioLevel(connectionId: string): number {
    return this.mesh.get(connectionId)?.link.audioLevel() ?? 0;
  }

  /** Local mic level 0..1. */
  micLevel(): number {
    return this.media.micLevel();
  }

  // ---- actions ----

  /**
   * Enters the call with the given media on/off, connecting the socket if needed.
   * Resolves on `room.joined`; rejects with a JoinError whose `code` is the server's
   * (NOT_APPROVED, ROOM_CLOSED, ROOM_FULL, ...), after which join() may be called again.
   */
  async join(initialMedia: { audio: boolean; video: boolean }): Promise<void> {
    if (this._ended) throw new Error('This call has ended');
    this.media.setMicEnabled(initialMedia.audio);
    if (initialMedia.video !== this.media.cameraEnabled) {
      await this.media.setCameraEnabled(initialMedia.video);
    }
    this.setConnection('connecting');
    if (this.signaling.state === 'idle' || this.signaling.state === 'closed') {
      // Failures surface through onState ('closed'), which aborts the join below.
      this.signaling.connect().catch(() => undefined);
    }
    await this.room.join();
  }

  /** Settles once our offers to everyone in the call went out (or could not be made). */
  offersSent(): Promise<void> {
    return this.mesh.offersSent();
  }

  /** Leaves the call: `room.leave`, peers closed, camera and mic stopped. */
  leave(): void {
    if (this._ended) return;
    // Links closed while still in the room, so their last quality reports (a link that
    // never connected counts as failed) go out before room.leave; the server takes
    // reports only from a connection in a call.
    this.mesh.closeAll();
    this.room.leave();
    this.end({ reason: 'left' });
  }

  setMic(on: boolean): void {
    this.media.setMicEnabled(on);
  }

  /** Resolves whether a camera is live afterwards (false if it could not be opened). */
  setCamera(on: boolean): Promise<boolean> {
    return this.media.setCameraEnabled(on);
  }

  /** Resolves false when the person cancelled the browser's picker. */
  startScreenShare(): Promise<boolean> {
    return this.media.startScreenShare();
  }

  stopScreenShare(): void {
    this.media.stopScreenShare();
  }

  /** Raises or lowers our hand (media.update; kept across a rejoin). */
  setHandRaised(on: boolean): void {
    this._handRaised = on;
    this.sendMediaUpdate();
  }

  /** A reaction over our tile for everyone (see ReactionResult). */
  sendReaction(emoji: Reaction): ReactionResult {
    if (this._ended || this.room.phase !== 'joined') return 'not-sent';
    const now = this.clock.now();
    const refill = ((now - this.reactionRefilledAt) / 1000) * REACTION_LIMITS.perSecond;
    this.reactionTokens = Math.min(REACTION_LIMITS.burst, this.reactionTokens + refill);
    this.reactionRefilledAt = now;
    if (this.reactionTokens < 1) return 'limited';
    if (!this.signaling.send({ type: 'reaction.send', emoji })) return 'not-sent';
    this.reactionTokens -= 1;
    return 'sent';
  }

  /** New ICE servers (refreshed TURN credentials) for current and future peers. */
  setIceServers(iceServers: RTCIceServer[]): void {
    this.mesh.setConfiguration({
      iceServers,
      iceTransportPolicy: this.opts.iceTransportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
    });
  }

  /** After `failed` (or while reconnecting): try again now. */
  retry(): void {
    if (this._ended) return;
    switch (this.signaling.state) {
      case 'closed':
      case 'idle':
        this.signaling.connect().catch(() => undefined);
        break;
      case 'reconnecting':
        this.signaling.retryNow();
        break;
      case 'open':
        this.room.retry();
        break;
      case 'connecting':
        break;
    }
    if (this._connection === 'failed') this.setConnection('reconnecting');
  }

  /** Leaves if still in the call and drops every listener. */
  dispose(): void {
    this.leave();
    this.events.clear();
  }

  // ---- wiring ----

  private listen(): void {
    const s = this.signaling;
    const mine = (msg: { roomId: string }) => msg.roomId === this.opts.roomId && !this._ended;
    this.unsubscribe.push(
      this.room.on('joined', (msg) => this.onJoined(msg)),
      this.room.on('suspended', () => this.onSuspended()),
      this.room.on('resumeFailed', (code) => this.onResumeFailed(code)),
      s.onState((state, info) => this.onSignalingState(state, info)),
      s.on('participant.joined', (m) => mine(m) && this.onParticipant(m.participant, true)),
      s.on('participant.updated', (m) => mine(m) && this.onParticipant(m.participant, false)),
      s.on('participant.left', (m) => mine(m) && this.onParticipantLeft(m.connectionId)),
      s.on('signal', (m) => this.onSignal(m)),
      s.on('lobby.requested', (m) => mine(m) && this.onLobbyRequested(m)),
      s.on('lobby.cancelled', (m) => mine(m) && this.removeFromLobby(m.userId)),
      s.on('lobby.resolved', (m) => mine(m) && this.removeFromLobby(m.userId)),
      s.on('participant.kicked', (m) => mine(m) && this.end({ reason: 'kicked' })),
      s.on('room.closed', (m) => mine(m) && this.end({ reason: 'closed', detail: m.reason })),
      s.on('room.updated', (m) => {
        if (!mine(m)) return;
        this._room = m.room;
        this.changed();
      }),
      s.on('reaction', (m) => {
        if (!mine(m)) return;
        const { connectionId, userId, emoji } = m;
        this.events.emit('reaction', { connectionId, userId, emoji });
      }),
      s.on('room.spotlight', (m) => mine(m) && this.onSpotlight(m.connectionId)),
      s.on('moderation.applied', (m) => mine(m) && this.onModerationApplied(m)),
      s.on('moderation.granted', (m) => mine(m) && this.onModerationGranted(m)),
      s.on('welcome', (m) => this.serverClock.sample(m.serverTime, this.clock.now())),
      s.on('pong', (m) => this.serverClock.sample(m.serverTime, this.clock.now())),
      this.media.on('track', (kind, track) => {
        if (kind === 'screen') this.mesh.setScreen(track, this.media.screenStream);
        else this.mesh.replaceTrack(kind, track);
      }),
      this.media.on('change', () => this.sendMediaUpdate()),
    );
  }

  private onJoined(msg: RoomJoinedMessage): void {
    if (this._ended) return;
    // Same id as before the drop: the server handed our connection back (a resume), the
    // peers kept their links to it, and so do we (setLocalId below closes nothing).
    const resumed = msg.self.connectionId === this._self?.connectionId;
    const held = this.held.splice(0);
    this.serverClock.sample(msg.serverTime, this.clock.now());
    if (!resumed) this._selfEntry = undefined;
    this._self = { ...msg.self };
    this._room = msg.room;
    this._spotlight = msg.spotlight;
    this._lobby = [...msg.lobby];
    this.roster.clear();
    for (const p of msg.participants) this.roster.set(p.connectionId, p);
    this.mesh.setLocalId(msg.self.connectionId);
    this.mesh.setRoomSize(this.roster.size + 1);
    // Links opened by an early offer stay; links to people not in the call go.
    this.mesh.retainOnly(new Set(this.roster.keys()));
    // A newcomer offers to everyone already here. After a resume, someone we have no link to
    // joined while we were away and offered to us: we wait for (or already got) that offer.
    for (const id of this.roster.keys()) {
      if (resumed) this.mesh.expect(id);
      else this.mesh.ensure(id);
    }
    if (resumed) for (const m of held) if (this.roster.has(m.to)) this.signaling.send(m);
    this.setConnection('connected');
    // A new connection with the hand kept up: room.joined does not carry our own entry, so
    // ask for the echo (the same flags again; the server keeps the hand's place) to learn
    // its handRaisedAt, our place in the queue as the others see it.
    if (!resumed && this._handRaised) this.lastSentMedia = undefined;
    // Media changed while the join was in flight: bring the server up to date.
    this.sendMediaUpdate();
    this.changed();
  }

  private onParticipant(entry: RosterEntry, joined: boolean): void {
    if (entry.connectionId === this._self?.connectionId) {
      // The server echoes our own media.update and tells us about a role change.
      this._self = { ...this._self, role: entry.role };
      this._selfEntry = entry;
      return this.changed();
    }
    if (!joined && !this.roster.has(entry.connectionId)) return;
    this.roster.set(entry.connectionId, entry);
    // The newcomer offers (it has us in its room.joined roster); we answer on the sections
    // of its offer. Offering from both ends at once is a glare the pattern survives on
    // paper, but Chromium then often gathers no ICE candidates on the polite side after
    // rolling back, and the link stays `new`. The link waits from now, watched: a lost
    // offer is repaired like any link that does not connect (Mesh.expect).
    if (joined) {
      this.mesh.expect(entry.connectionId);
      this.mesh.setRoomSize(this.roster.size + 1);
    }
    this.changed();
  }

  private onParticipantLeft(connectionId: string): void {
    // The server clears a spotlight whose connection left; so do we, without waiting.
    if (this._spotlight === connectionId) this._spotlight = null;
    this.roster.delete(connectionId);
    this.mesh.close(connectionId);
    this.mesh.setRoomSize(this.roster.size + 1);
    this.changed();
  }

  private onSignal(msg: ServerMessageOf<'signal'>): void {
    if (this._ended || !this.linksLive()) return;
    const payload: SignalPayload = msg.description
      ? { description: msg.description }
      : { candidate: msg.candidate ?? null };
    this.mesh.route(msg.from, payload);
  }

  /**
   * Signals may reach the mesh: in the call, or back on our own connection after a resume
   * (peers may negotiate with it before our `room.joined` arrives). Not on a new connection
   * before its `room.joined`: the links still carry the old id.
   */
  private linksLive(): boolean {
    if (this.room.phase === 'joined') return true;
    return (
      this.room.phase === 'resuming' &&
      this.signaling.resumed &&
      this.signaling.connectionId !== undefined &&
      this.signaling.connectionId === this._self?.connectionId
    );
  }

  /** The socket dropped while in the call. */
  private onSuspended(): void {
    if (!this.signaling.resumePending) return this.setConnection('reconnecting');
    // A 1012 whose connection the next socket may take over: the links and media go on,
    // so say `reconnecting` only if the handover takes long.
    this.clearQuietTimer();
    this.quietTimer = this.clock.setTimeout(() => {
      this.quietTimer = undefined;
      if (this.room.phase !== 'joined') this.setConnection('reconnecting');
    }, this.opts.resumeQuietMs ?? RESUME_QUIET_MS);
  }

  private onLobbyRequested(msg: ServerMessageOf<'lobby.requested'>): void {
    const entry: LobbyEntry = { user: msg.user, requestedAt: msg.requestedAt };
    this._lobby = [...this._lobby.filter((e) => e.user.id !== msg.user.id), entry];
    this.changed();
    this.events.emit('lobby-request', entry);
  }

  /** A host put `connectionId` in the spotlight for everyone (null: ended it); `change` tells. */
  private onSpotlight(connectionId: string | null): void {
    this._spotlight = connectionId;
    this.changed();
  }

  /** Applied here, the same way as our own buttons (so media.update goes out), then told. */
  private onModerationApplied(msg: ModerationAppliedMessage): void {
    switch (msg.action) {
      case 'mute':
      case 'mute-all':
        this.setMic(false);
        break;
      case 'lower-hand':
        this.setHandRaised(false);
        break;
    }
    this.events.emit('moderation', msg);
  }

  /** We moderate now (promoted, or handed over when the last host left): take the lobby. */
  private onModerationGranted(msg: ModerationGrantedMessage): void {
    if (this._self) this._self = { ...this._self, role: msg.role };
    const known = new Set(this._lobby.map((e) => e.user.id));
    this._lobby = [...msg.lobby];
    this.changed();
    this.events.emit('moderation-granted', msg);
    for (const entry of msg.lobby) {
      if (!known.has(entry.user.id)) this.events.emit('lobby-request', entry);
    }
  }

  private removeFromLobby(userId: string): void {
    const before = this._lobby.length;
    this._lobby = this._lobby.filter((e) => e.user.id !== userId);
    if (this._lobby.length !== before) this.changed();
  }

  private onSignalingState(state: SignalingState, info?: SignalingStateInfo): void {
    if (this._ended || state !== 'closed') return;
    // The room messages (participant.kicked, room.closed) normally came first; the close
    // code is the backstop.
    if (info?.code === WsCloseCode.KICKED) return this.end({ reason: 'kicked' });
    if (info?.code === WsCloseCode.ROOM_CLOSED) return this.end({ reason: 'closed' });
    if (info?.code === WsCloseCode.PROTOCOL_VERSION) {
      return this.end({ reason: 'failed', detail: info.reason || 'PROTOCOL_VERSION_UNSUPPORTED' });
    }
    // Signed out (SESSION_REVOKED, ACCOUNT_DISABLED): final, the detail says which.
    if (isSignedOut(info)) return this.end({ reason: 'failed', detail: info?.reason });
    if (this.room.phase === 'joining') {
      // The first join cannot happen on a socket that gave up: join() rejects.
      return this.room.abortJoin(info?.reason || 'SIGNALING_CLOSED');
    }
    this.setConnection('failed');
  }

  private onResumeFailed(code: string): void {
    const reason = RESUME_ENDS[code];
    if (reason) this.end({ reason, detail: code });
    else this.setConnection('failed');
  }

  /**
   * Negotiation for one peer. While a resume is under way the link to it lives on, so what
   * it says then (an ICE restart's offer, its candidates) is held, in order, and sent when
   * the connection is back (onJoined); once holding, later ones queue behind. Otherwise a
   * message that cannot go out is dropped: the link dies with our connection anyway.
   */
  private sendSignal(to: string, payload: SignalPayload): void {
    const msg: ClientSignalMessage = payload.description
      ? { type: 'signal', to, description: payload.description }
      : { type: 'signal', to, candidate: payload.candidate };
    if (this.held.length === 0 && this.signaling.send(msg)) return;
    const holding =
      this.held.length > 0 || (this.room.phase === 'resuming' && this.signaling.resumePending);
    if (holding && this.held.length < MAX_HELD_SIGNALS) this.held.push(msg);
  }

  private mediaForJoin(): MediaUpdate {
    const flags = this.mediaUpdate();
    this.lastSentMedia = JSON.stringify(flags);
    return flags;
  }

  private mediaUpdate(): MediaUpdate {
    return { ...this.media.mediaFlags, handRaised: this._handRaised };
  }

  private sendMediaUpdate(): void {
    this.changed();
    if (this._ended || this.room.phase !== 'joined') return;
    const flags = this.mediaUpdate();
    const key = JSON.stringify(flags);
    if (key === this.lastSentMedia) return;
    if (this.signaling.send({ type: 'media.update', ...flags })) this.lastSentMedia = key;
  }

  private setConnection(next: CallConnection): void {
    this.clearQuietTimer();
    if (next === 'reconnecting' && this._connection !== 'reconnecting') {
      this.clearFailTimer();
      this.failTimer = this.clock.setTimeout(() => {
        this.failTimer = undefined;
        if (this._connection === 'reconnecting') this.setConnection('failed');
      }, this.opts.failAfterMs ?? 30_000);
    } else if (next !== 'reconnecting') {
      this.clearFailTimer();
    }
    if (next === this._connection) return;
    this._connection = next;
    this.changed();
  }

  private clearQuietTimer(): void {
    if (this.quietTimer === undefined) return;
    this.clock.clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }

  private clearFailTimer(): void {
    if (this.failTimer === undefined) return;
    this.clock.clearTimeout(this.failTimer);
    this.failTimer = undefined;
  }

  private end(why: CallEnded): void {
    if (this._ended) return;
    this._ended = why;
    this.clearFailTimer();
    this.clearQuietTimer();
    this.held = [];
    this.room.dispose();
    this.mesh.closeAll();
    for (const off of this.unsubscribe.splice(0)) off();
    this.media.stop();
    this.roster.clear();
    this._lobby = [];
    this._spotlight = null;
    this.changed();
    this.events.emit('ended', why);
  }

  private changed(): void {
    this.events.emit('change');
  }

  private reportError(error: unknown, context: string): void {
    if (this.opts.onError) this.opts.onError(error, context);
    else console.warn(`[call] ${context}`, error);
  }
}
