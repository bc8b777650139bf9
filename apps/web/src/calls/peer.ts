import type { SignalPayload } from '@parley/protocol';
import { systemClock } from './clock';
import type { Clock, TimerId } from './clock';
import { Emitter } from './emitter';
import type { VideoLimits } from './send-limits';

export type PeerConnectionCtor = new (config: RTCConfiguration) => RTCPeerConnection;
export type MediaKind = 'audio' | 'video';

/**
 * Who makes the link's sections (PROTOCOL.md, "Writing a client"): the offerer (the newcomer,
 * or a side rebuilding a link) creates them and offers; the answerer creates none and sends
 * on the offer's own sections, so a link is one offer and one answer.
 */
export type LinkRole = 'offerer' | 'answerer';

/** Candidates kept while their description has not arrived; more than this is a broken peer. */
export const MAX_QUEUED_CANDIDATES = 200;

/**
 * The session id of an SDP's origin line (`o=- <id> <version> …`). It stays the same for
 * the life of a peer connection (RFC 3264), so a new one means the peer started afresh.
 */
export function sdpSessionId(sdp: string | undefined): string | undefined {
  return sdp ? /^o=\S+ (\S+) /m.exec(sdp)?.[1] : undefined;
}

/**
 * Who yields in a collision, the same rule on both ends (PROTOCOL.md, `signal`): the
 * connection whose id sorts first in plain string order is polite.
 */
export function isPolite(localId: string, remoteId: string): boolean {
  return localId < remoteId;
}

/**
 * How long after a link first connects its camera sends at half resolution at most. At full
 * resolution (720p) libwebrtc's encoder starts below what its start bitrate (~300 kbps)
 * allows for the frame size, so it drops the first frames while it scales down: ~150 ms
 * more before the other side sees the first frame (measured: two bare peer connections on
 * loopback, 140 ms with a 640×480 camera, 290 ms with 1280×720). Half resolution starts at
 * once; the limits we were given apply after this.
 */
export const START_AT_HALF_MS = 2_000;

/** How long `disconnected` may last before we stop waiting for ICE to recover by itself. */
export const DISCONNECTED_GRACE_MS = 3_000;

export interface PeerLinkOptions {
  /** Our connection id and theirs; they decide the polite side. */
  localId: string;
  remoteId: string;
  /** Hands a description or candidate to signaling, addressed to `remoteId`. */
  send: (payload: SignalPayload) => void;
  /** Default 'offerer' (see LinkRole). */
  role?: LinkRole;
  configuration?: RTCConfiguration;
  /** What to send from the start; null sends nothing until replaceTrack. */
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  /** Our stream, so the remote groups our audio and video in one stream. */
  localStream?: MediaStream;
  /**
   * The screen we share, when the link opens during a share: its sender is made at once
   * (see setScreen). `screenStream` is the stream it goes in, apart from `localStream`.
   */
  screenTrack?: MediaStreamTrack | null;
  screenStream?: MediaStream;
  /** Initial video ceiling (bits/s) for both senders, see bitrateForRoomSize. */
  maxVideoBitrate?: number;
  /** Initial limits (SendLimiter), instead of maxVideoBitrate. */
  cameraLimits?: VideoLimits;
  screenLimits?: VideoLimits;
  RTCPeerConnectionImpl?: PeerConnectionCtor;
  createMediaStream?: () => MediaStream;
  clock?: Clock;
}

export interface NegotiationCounters {
  /** Offers we sent. */
  offers: number;
  /** Answers we sent. */
  answers: number;
  /** Colliding offers we gave way to (polite side: SRD rolls our offer back). */
  rolledBack: number;
  /** Colliding offers we ignored (impolite side). */
  ignored: number;
  iceRestarts: number;
  /** Candidates that arrived before their description and waited for it. */
  queuedCandidates: number;
  /** Candidates the connection refused (stale ones from a replaced connection or ICE generation). */
  refusedCandidates: number;
}

/** What the remote sends, sorted by the stream rule (see classifyRemoteTracks). */
export interface RemoteTracks {
  audio: MediaStreamTrack[];
  camera: MediaStreamTrack | undefined;
  screen: MediaStreamTrack | undefined;
}

/** A remote track and the id of the stream its sender put it in ('' for none). */
export interface RemoteTrack {
  track: MediaStreamTrack;
  streamId: string;
}

/**
 * The stream rule (PROTOCOL.md, "Media"): a sender puts its microphone and camera in one
 * stream and a shared screen in a stream of its own. So the camera is the video of the
 * stream that carries audio, and the screen is a video in a stream without audio. A sender
 * that names no streams (or sends no audio) falls back to arrival order: the first video
 * is the camera, the next one the screen. `tracks` is in arrival order.
 */
export function classifyRemoteTracks(tracks: readonly RemoteTrack[]): RemoteTracks {
  const withAudio = new Set(
    tracks.filter((t) => t.track.kind === 'audio' && t.streamId !== '').map((t) => t.streamId),
  );
  const videos = tracks.filter((t) => t.track.kind === 'video');
  const inAudioStream = (t: RemoteTrack) => withAudio.has(t.streamId);
  const camera = (videos.find(inAudioStream) ?? videos[0])?.track;
  const screen = videos.find((t) => t.track !== camera && !inAudioStream(t))?.track;
  return {
    audio: tracks.filter((t) => t.track.kind === 'audio').map((t) => t.track),
    camera,
    screen,
  };
}

type PeerEvents = {
  /**
   * A remote track arrived; `stream` is this link's remote stream (same object each time:
   * the audio and the camera, see `remoteStream`).
   */
  track: (track: MediaStreamTrack, stream: MediaStream) => void;
  state: (state: RTCPeerConnectionState) => void;
  /** Something failed that the pattern does not expect; the link keeps going. */
  error: (error: unknown, during: string) => void;
};

/**
 * One RTCPeerConnection to one remote connection, negotiated with the W3C "perfect
 * negotiation" pattern: either side may offer at any time (onnegotiationneeded); in a
 * collision the polite side rolls its offer back and answers, the impolite side ignores
 * the other's offer. There are no locks: the flags below are the whole mechanism.
 *
 * The offerer creates the audio and video senders with addTransceiver; the answerer takes
 * the offer's first audio and video sections as its senders (setRemoteDescription first,
 * then replaceTrack + setStreams on them), so a link is negotiated once. After that a
 * device switch or camera off is a `replaceTrack` with no renegotiation. A screen share
 * gets a sender of its own beside the camera, added by the first share (one renegotiation)
 * and reused with `replaceTrack` after that (stopping sends nothing on it).
 */
export class PeerLink {
  readonly polite: boolean;
  readonly role: LinkRole;
  readonly pc: RTCPeerConnection;
  /** The remote's audio and camera video (never its screen: see remoteScreenTrack). */
  readonly remoteStream: MediaStream;
  /**
   * Settles once an offerer's first offer went out (or could not be made) or the link
   * closed; at once on an answerer. Never rejects.
   */
  readonly offered: Promise<void>;
  readonly counters: NegotiationCounters = {
    offers: 0,
    answers: 0,
    rolledBack: 0,
    ignored: 0,
    iceRestarts: 0,
    queuedCandidates: 0,
    refusedCandidates: 0,
  };

  private readonly opts: PeerLinkOptions;
  private readonly clock: Clock;
  private readonly events = new Emitter<PeerEvents>();
  /** Undefined on an answerer until the first offer gives it sections to send on. */
  private senders: Record<MediaKind, RTCRtpSender> | undefined;
  private screenSender: RTCRtpSender | undefined;
  /** What we send (or will, once an answerer has senders). */
  private readonly local: Record<MediaKind, MediaStreamTrack | null>;
  /** A share to start once an answerer has answered (its own section: one re-offer). */
  private pendingScreen: { track: MediaStreamTrack; stream: MediaStream | undefined } | undefined;
  /** Remote candidates that came before any remote description. */
  private queued: RTCIceCandidateInit[] = [];
  /** Every remote track so far, in arrival order, with its stream id. */
  private readonly remoteTracks: RemoteTrack[] = [];
  private remote: RemoteTracks = { audio: [], camera: undefined, screen: undefined };
  private makingOffer = false;
  private ignoreOffer = false;
  private isSettingRemoteAnswerPending = false;
  private closed = false;
  private state: RTCPeerConnectionState = 'new';
  private disconnectedTimer: TimerId | undefined;
  private cameraLimits: VideoLimits | undefined;
  private screenLimits: VideoLimits | undefined;
  private parameterChain: Promise<void> = Promise.resolve();
  /** Until START_AT_HALF_MS after the link first connected (see there). */
  private starting = true;
  private startTimer: TimerId | undefined;
  /** Set by the constructor, with `offered`. */
  private settleOffered!: () => void;

  constructor(opts: PeerLinkOptions) {
    this.opts = opts;
    this.offered = new Promise((resolve) => (this.settleOffered = resolve));
    this.clock = opts.clock ?? systemClock;
    this.polite = isPolite(opts.localId, opts.remoteId);
    this.role = opts.role ?? 'offerer';
    const Impl = opts.RTCPeerConnectionImpl ?? RTCPeerConnection;
    this.pc = new Impl(opts.configuration ?? {});
    this.remoteStream = (opts.createMediaStream ?? (() => new MediaStream()))();
    this.local = { audio: opts.audioTrack, video: opts.videoTrack };
    const ceiling = opts.maxVideoBitrate
      ? { maxBitrate: opts.maxVideoBitrate, scaleResolutionDownBy: 1 }
      : undefined;
    this.cameraLimits = opts.cameraLimits ?? ceiling;
    this.screenLimits = opts.screenLimits ?? ceiling;

    const pc = this.pc;
    pc.addEventListener('negotiationneeded', () => void this.onNegotiationNeeded());
    pc.addEventListener('icecandidate', (e) => this.onLocalCandidate(e.candidate));
    pc.addEventListener('track', (e) => this.onTrack(e.track, e.streams));
    pc.addEventListener('iceconnectionstatechange', () => this.onConnectionChange());
    pc.addEventListener('connectionstatechange', () => this.onConnectionChange());

    if (this.role === 'offerer') {
      const streams = opts.localStream ? [opts.localStream] : [];
      this.senders = {
        audio: pc.addTransceiver(opts.audioTrack ?? 'audio', { direction: 'sendrecv', streams })
          .sender,
        video: pc.addTransceiver(opts.videoTrack ?? 'video', {
          direction: 'sendrecv',
          streams,
          sendEncodings: [this.encodingFor(this.cameraNow())],
        }).sender,
      };
      // A newcomer sees a share that is under way from its first negotiation.
      if (opts.screenTrack) this.addScreenSender(opts.screenTrack, opts.screenStream);
      // The offer now, not on `negotiationneeded`: that event is a task of its own, queued
      // behind whatever the page does next (on joining, its first render: ~100 ms).
      void this.onNegotiationNeeded().then(this.settleOffered);
    } else {
      this.settleOffered();
      if (opts.screenTrack) {
        this.pendingScreen = { track: opts.screenTrack, stream: opts.screenStream };
      }
    }
  }

  get localId(): string {
    return this.opts.localId;
  }
  get remoteId(): string {
    return this.opts.remoteId;
  }
  get connectionState(): RTCPeerConnectionState {
    return this.state;
  }
  /** The peer's connection as its SDP origin names it, once it sent a description. */
  remoteSessionId(): string | undefined {
    return sdpSessionId(this.pc.remoteDescription?.sdp);
  }
  /**
   * An offer from a new RTCPeerConnection of the peer (it rebuilt the link): this one is
   * dead and the offer belongs on a fresh link.
   */
  isNewSession(description: RTCSessionDescriptionInit): boolean {
    if (description.type !== 'offer') return false;
    const current = this.remoteSessionId();
    return current !== undefined && sdpSessionId(description.sdp) !== current;
  }
  /** The remote's camera video (see classifyRemoteTracks); it may be muted (camera off). */
  get remoteCameraTrack(): MediaStreamTrack | undefined {
    return this.remote.camera;
  }
  /**
   * The remote's screen video once a share was negotiated. The track stays after the share
   * stops (the sender just sends nothing), so whether a share is on is the roster's
   * `media.screen`, not this.
   */
  get remoteScreenTrack(): MediaStreamTrack | undefined {
    return this.remote.screen;
  }

  on<K extends keyof PeerEvents>(event: K, fn: PeerEvents[K]): () => void {
    return this.events.on(event, fn);
  }

  /** An inbound `signal` from the remote connection. */
  async handleSignal(payload: SignalPayload): Promise<void> {
    if (this.closed) return;
    if (payload.description) return this.handleDescription(payload.description);
    const candidate = payload.candidate;
    if (!candidate?.candidate) return; // end of candidates: nothing to do
    // A description comes first; a candidate ahead of it waits for it, and opens nothing.
    if (!this.pc.remoteDescription) {
      if (this.queued.length < MAX_QUEUED_CANDIDATES) this.queued.push(candidate);
      this.counters.queuedCandidates += 1;
      return;
    }
    await this.addCandidate(candidate);
  }

  private async handleDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const { pc } = this;
    if (description.type !== 'offer' && description.type !== 'answer') return;
    // An offer collides unless we are stable and not in the middle of making our own;
    // an answer being applied right now will make us stable, so it does not count.
    const readyForOffer =
      !this.makingOffer && (pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && offerCollision;
    if (this.ignoreOffer) {
      this.counters.ignored += 1;
      return;
    }
    if (offerCollision) this.counters.rolledBack += 1;
    try {
      this.isSettingRemoteAnswerPending = description.type === 'answer';
      // For the polite side in a collision this rolls our own offer back first.
      await pc.setRemoteDescription(description);
    } catch (err) {
      return this.fail(err, `setRemoteDescription(${description.type})`);
    } finally {
      this.isSettingRemoteAnswerPending = false;
    }
    if (this.closed) return;
    const queued = this.queued.splice(0);
    if (description.type === 'offer') {
      if (!this.senders) this.adoptOfferSections();
      try {
        await pc.setLocalDescription();
      } catch (err) {
        return this.fail(err, 'setLocalDescription(answer)');
      }
      this.counters.answers += 1;
      this.sendLocalDescription();
      // Parameters exist once the sections are negotiated; apply the ceiling we were given.
      if (this.role === 'answerer' && this.counters.answers === 1) void this.applyLimits();
      this.startPendingScreen();
    }
    for (const candidate of queued) await this.addCandidate(candidate);
  }

  /**
   * The answerer's senders are the offer's first audio and first video sections: sending
   * on them (sendrecv, our tracks, our stream) makes the answer carry our media, with no
   * second negotiation. Sections beyond those (the offerer's screen) stay receive-only.
   *
   * The answer does not wait for replaceTrack: it is queued on the connection's operations
   * chain ahead of setLocalDescription, so the tracks are in place before the answer is
   * applied, and waiting here only added a trip to the page's busy main thread.
   */
  private adoptOfferSections(): void {
    const found: Partial<Record<MediaKind, RTCRtpSender>> = {};
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind as MediaKind;
      if (found[kind] || transceiver.mid === null) continue;
      if (kind !== 'audio' && kind !== 'video') continue;
      found[kind] = transceiver.sender;
      try {
        transceiver.direction = 'sendrecv';
        // Names our stream, so the offerer finds our camera beside our audio.
        if (this.opts.localStream) transceiver.sender.setStreams(this.opts.localStream);
        transceiver.sender
          .replaceTrack(this.local[kind])
          .catch((err: unknown) => this.fail(err, `adopt(${kind})`));
      } catch (err) {
        this.fail(err, `adopt(${kind})`);
      }
    }
    // An offer without audio or video (a receive-only client): add our own, one re-offer.
    const streams = this.opts.localStream ? [this.opts.localStream] : [];
    for (const kind of ['audio', 'video'] as const) {
      if (found[kind]) continue;
      found[kind] = this.pc.addTransceiver(this.local[kind] ?? kind, {
        direction: 'sendrecv',
        streams,
      }).sender;
    }
    this.senders = found as Record<MediaKind, RTCRtpSender>;
  }

  private startPendingScreen(): void {
    const pending = this.pendingScreen;
    if (!pending || this.screenSender) return;
    this.pendingScreen = undefined;
    this.addScreenSender(pending.track, pending.stream);
  }

  private async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // Candidates of an offer we ignored, of an ICE generation that was restarted or of a
      // connection the peer replaced cannot apply; the link's health tells the rest.
      this.counters.refusedCandidates += 1;
    }
  }

  /** Swap what we send (device switch, camera off = null, screen share); no renegotiation. */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    this.local[kind] = track;
    // An answerer before its offer: the track goes on the section it adopts.
    if (!this.senders) return;
    try {
      await this.senders[kind].replaceTrack(track);
    } catch (err) {
      this.fail(err, `replaceTrack(${kind})`);
    }
  }

  /** The sender of `kind` (an answerer has none before the offer); the screen's once shared. */
  sender(kind: MediaKind | 'screen'): RTCRtpSender | undefined {
    return kind === 'screen' ? this.screenSender : this.senders?.[kind];
  }

  /**
   * What we share on this link's screen sender; null stops sending it. The first share adds
   * the sender (a transceiver of its own whose stream is `stream`, so the remote tells it
   * from the camera) and negotiationneeded renegotiates once; later calls only replaceTrack.
   */
  async setScreen(track: MediaStreamTrack | null, stream?: MediaStream): Promise<void> {
    if (this.closed) return;
    const sender = this.screenSender;
    if (!sender) {
      // An answerer adds its screen section after its answer, never before its offer.
      if (!this.senders) this.pendingScreen = track ? { track, stream } : undefined;
      else if (track) this.addScreenSender(track, stream);
      return;
    }
    try {
      await sender.replaceTrack(track);
    } catch (err) {
      this.fail(err, 'replaceTrack(screen)');
    }
  }

  /** Caps both video senders at `bps`, full resolution (the room-size ceiling alone). */
  setMaxVideoBitrate(bps: number): Promise<void> {
    const limits = { maxBitrate: bps, scaleResolutionDownBy: 1 };
    return this.setVideoLimits(limits, limits);
  }

  /**
   * What the camera (and the screen, if given) may send. Calls are chained because a
   * setParameters racing another getParameters/setParameters pair is rejected (stale
   * transaction id).
   */
  setVideoLimits(camera: VideoLimits, screen?: VideoLimits): Promise<void> {
    this.cameraLimits = camera;
    if (screen) this.screenLimits = screen;
    return this.applyLimits();
  }

  private applyLimits(): Promise<void> {
    const apply = async () => {
      const pairs = [
        [this.senders?.video, this.cameraNow()],
        [this.screenSender, this.screenLimits],
      ] as const;
      for (const [sender, limits] of pairs) {
        if (this.closed || !sender || !limits) continue;
        const params = sender.getParameters();
        if (!params.encodings || params.encodings.length === 0) continue;
        const scale = limits.scaleResolutionDownBy;
        const same = (e: RTCRtpEncodingParameters) =>
          e.maxBitrate === limits.maxBitrate && (e.scaleResolutionDownBy ?? 1) === scale;
        if (params.encodings.every(same)) continue;
        for (const e of params.encodings) {
          e.maxBitrate = limits.maxBitrate;
          e.scaleResolutionDownBy = scale;
        }
        try {
          await sender.setParameters(params);
        } catch (err) {
          this.fail(err, 'setParameters');
        }
      }
    };
    this.parameterChain = this.parameterChain.then(apply);
    return this.parameterChain;
  }

  /** New ICE credentials and a fresh gathering; negotiationneeded does the rest. */
  restartIce(): void {
    if (this.closed) return;
    this.counters.iceRestarts += 1;
    this.pc.restartIce();
  }

  /**
   * The remote's speaking level 0..1 from the RTP audio level header (what the sender
   * measured), without an AudioContext per peer. 0 when nothing was heard recently.
   */
  audioLevel(): number {
    let level = 0;
    for (const receiver of this.pc.getReceivers()) {
      if (receiver.track.kind !== 'audio') continue;
      for (const source of receiver.getSynchronizationSources()) {
        level = Math.max(level, source.audioLevel ?? 0);
      }
    }
    return level;
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A closed connection may never settle the setLocalDescription in flight.
    this.settleOffered();
    this.clearDisconnectedTimer();
    if (this.startTimer !== undefined) this.clock.clearTimeout(this.startTimer);
    this.pc.close();
    this.setState('closed');
    this.events.clear();
  }

  // ---- internals ----

  /** The camera's limits now: at most half resolution while the link is starting. */
  private cameraNow(): VideoLimits | undefined {
    const limits = this.cameraLimits;
    if (!limits || !this.starting) return limits;
    return { ...limits, scaleResolutionDownBy: Math.max(2, limits.scaleResolutionDownBy) };
  }

  /** The link connected for the first time: full resolution (the limits given) soon. */
  private startedSending(): void {
    if (!this.starting || this.startTimer !== undefined) return;
    this.startTimer = this.clock.setTimeout(() => {
      this.startTimer = undefined;
      this.starting = false;
      void this.applyLimits();
    }, START_AT_HALF_MS);
  }

  /**
   * A video sender's encoding, set at creation: before negotiation some browsers answer
   * getParameters() with no encodings, and setParameters cannot add one.
   */
  private encodingFor(limits: VideoLimits | undefined): RTCRtpEncodingParameters {
    if (!limits) return {};
    const e: RTCRtpEncodingParameters = { maxBitrate: limits.maxBitrate };
    if (limits.scaleResolutionDownBy !== 1) {
      e.scaleResolutionDownBy = limits.scaleResolutionDownBy;
    }
    return e;
  }

  /**
   * `sendrecv`, like the camera's: the section is ours, but a peer that follows the
   * protocol may still choose to send on it.
   */
  private addScreenSender(track: MediaStreamTrack, stream: MediaStream | undefined): void {
    try {
      this.screenSender = this.pc.addTransceiver(track, {
        direction: 'sendrecv',
        streams: stream ? [stream] : [],
        sendEncodings: [this.encodingFor(this.screenLimits)],
      }).sender;
    } catch (err) {
      this.fail(err, 'addTransceiver(screen)');
    }
  }

  private async onNegotiationNeeded(): Promise<void> {
    // An offer in the making covers every section so far; anything newer is negotiated
    // once stable again (the browser asks again then).
    if (this.closed || this.makingOffer) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      // A colliding remote offer may have been applied meanwhile (we would now hold an
      // answer, which handleSignal sends): only a local offer goes out from here.
      if (this.pc.localDescription?.type !== 'offer') return;
      this.counters.offers += 1;
      this.sendLocalDescription();
    } catch (err) {
      this.fail(err, 'setLocalDescription(offer)');
    } finally {
      this.makingOffer = false;
    }
  }

  private sendLocalDescription(): void {
    const d = this.pc.localDescription;
    if (!d || this.closed) return;
    this.opts.send({ description: { type: d.type, sdp: d.sdp } });
  }

  private onLocalCandidate(candidate: RTCIceCandidate | null): void {
    // End-of-candidates is not forwarded: browsers complete ICE without it.
    if (this.closed || !candidate?.candidate) return;
    this.opts.send({
      candidate: {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
        usernameFragment: candidate.usernameFragment,
      },
    });
  }

  private onTrack(track: MediaStreamTrack, streams: readonly MediaStream[]): void {
    if (this.closed) return;
    if (!this.remoteTracks.some((t) => t.track === track)) {
      this.remoteTracks.push({ track, streamId: streams[0]?.id ?? '' });
      this.remote = classifyRemoteTracks(this.remoteTracks);
    }
    // The audio and the camera, whichever arrived first; a later track may change which
    // video is the camera (its stream's audio came after it).
    const wanted = [...this.remote.audio, ...(this.remote.camera ? [this.remote.camera] : [])];
    for (const t of this.remoteStream.getTracks()) {
      if (!wanted.includes(t)) this.remoteStream.removeTrack(t);
    }
    for (const t of wanted) {
      if (!this.remoteStream.getTracks().includes(t)) this.remoteStream.addTrack(t);
    }
    this.events.emit('track', track, this.remoteStream);
  }

  private onConnectionChange(): void {
    if (this.closed) return;
    const { pc } = this;
    // Either state may be the first to say "failed"; treat the worse one as the truth.
    const next: RTCPeerConnectionState =
      pc.connectionState === 'failed' || pc.iceConnectionState === 'failed'
        ? 'failed'
        : pc.connectionState;
    if (next === this.state) return;
    this.setState(next);
    if (next === 'connected') this.startedSending();
    if (next === 'failed') {
      this.clearDisconnectedTimer();
      this.restartIce();
    } else if (next === 'disconnected') {
      // Often a blip that ICE repairs by itself (Wi-Fi roaming); restart only if it lasts.
      this.clearDisconnectedTimer();
      this.disconnectedTimer = this.clock.setTimeout(() => {
        this.disconnectedTimer = undefined;
        if (this.state === 'disconnected') this.restartIce();
      }, DISCONNECTED_GRACE_MS);
    } else {
      this.clearDisconnectedTimer();
    }
  }

  private setState(state: RTCPeerConnectionState): void {
    this.state = state;
    this.events.emit('state', state);
  }

  private clearDisconnectedTimer(): void {
    if (this.disconnectedTimer === undefined) return;
    this.clock.clearTimeout(this.disconnectedTimer);
    this.disconnectedTimer = undefined;
  }

  private fail(error: unknown, during: string): void {
    if (this.closed) return;
    this.events.emit('error', error, during);
  }
}
