import type { SignalPayload } from '@parley/protocol';
import { systemClock } from './clock';
import type { Clock, TimerId } from './clock';
import { Emitter } from './emitter';

export type PeerConnectionCtor = new (config: RTCConfiguration) => RTCPeerConnection;
export type MediaKind = 'audio' | 'video';

/**
 * Who yields in a collision, the same rule on both ends (PROTOCOL.md, `signal`): the
 * connection whose id sorts first in plain string order is polite.
 */
export function isPolite(localId: string, remoteId: string): boolean {
  return localId < remoteId;
}

/** How long `disconnected` may last before we stop waiting for ICE to recover by itself. */
export const DISCONNECTED_GRACE_MS = 3_000;

export interface PeerLinkOptions {
  /** Our connection id and theirs; they decide the polite side. */
  localId: string;
  remoteId: string;
  /** Hands a description or candidate to signaling, addressed to `remoteId`. */
  send: (payload: SignalPayload) => void;
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
  /** Initial video ceiling (bits/s), see bitrateForRoomSize. */
  maxVideoBitrate?: number;
  RTCPeerConnectionImpl?: PeerConnectionCtor;
  createMediaStream?: () => MediaStream;
  clock?: Clock;
}

export interface NegotiationCounters {
  /** Offers we sent. */
  offers: number;
  /** Colliding offers we gave way to (polite side: SRD rolls our offer back). */
  rolledBack: number;
  /** Colliding offers we ignored (impolite side). */
  ignored: number;
  iceRestarts: number;
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
 * The audio and video senders are created once with addTransceiver, so a device switch or
 * camera off is a `replaceTrack` with no renegotiation. A screen share gets a third sender
 * of its own beside the camera, added by the first share (one renegotiation) and reused
 * with `replaceTrack` after that (stopping sends nothing on it, no renegotiation).
 */
export class PeerLink {
  readonly polite: boolean;
  readonly pc: RTCPeerConnection;
  /** The remote's audio and camera video (never its screen: see remoteScreenTrack). */
  readonly remoteStream: MediaStream;
  readonly counters: NegotiationCounters = { offers: 0, rolledBack: 0, ignored: 0, iceRestarts: 0 };

  private readonly opts: PeerLinkOptions;
  private readonly clock: Clock;
  private readonly events = new Emitter<PeerEvents>();
  private readonly senders: Record<MediaKind, RTCRtpSender>;
  private screenSender: RTCRtpSender | undefined;
  /** Every remote track so far, in arrival order, with its stream id. */
  private readonly remoteTracks: RemoteTrack[] = [];
  private remote: RemoteTracks = { audio: [], camera: undefined, screen: undefined };
  private makingOffer = false;
  private ignoreOffer = false;
  private isSettingRemoteAnswerPending = false;
  private closed = false;
  private state: RTCPeerConnectionState = 'new';
  private disconnectedTimer: TimerId | undefined;
  private maxVideoBitrate: number | undefined;
  private parameterChain: Promise<void> = Promise.resolve();

  constructor(opts: PeerLinkOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.polite = isPolite(opts.localId, opts.remoteId);
    const Impl = opts.RTCPeerConnectionImpl ?? RTCPeerConnection;
    this.pc = new Impl(opts.configuration ?? {});
    this.remoteStream = (opts.createMediaStream ?? (() => new MediaStream()))();
    this.maxVideoBitrate = opts.maxVideoBitrate;

    const pc = this.pc;
    pc.addEventListener('negotiationneeded', () => void this.onNegotiationNeeded());
    pc.addEventListener('icecandidate', (e) => this.onLocalCandidate(e.candidate));
    pc.addEventListener('track', (e) => this.onTrack(e.track, e.streams));
    pc.addEventListener('iceconnectionstatechange', () => this.onConnectionChange());
    pc.addEventListener('connectionstatechange', () => this.onConnectionChange());

    const streams = opts.localStream ? [opts.localStream] : [];
    this.senders = {
      audio: pc.addTransceiver(opts.audioTrack ?? 'audio', { direction: 'sendrecv', streams })
        .sender,
      video: pc.addTransceiver(opts.videoTrack ?? 'video', {
        direction: 'sendrecv',
        streams,
        sendEncodings: this.videoEncodings(),
      }).sender,
    };
    // A newcomer sees a share that is under way from its first negotiation.
    if (opts.screenTrack) this.addScreenSender(opts.screenTrack, opts.screenStream);
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
    const { pc } = this;
    if (payload.description) {
      const description = payload.description;
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
      if (description.type === 'offer') {
        try {
          await pc.setLocalDescription();
        } catch (err) {
          return this.fail(err, 'setLocalDescription(answer)');
        }
        this.sendLocalDescription();
      }
      return;
    }
    if (!payload.candidate?.candidate) return; // end of candidates: nothing to do
    try {
      await pc.addIceCandidate(payload.candidate);
    } catch (err) {
      // Candidates of an offer we ignored cannot apply; anything else is worth knowing.
      if (!this.ignoreOffer && !this.closed) this.fail(err, 'addIceCandidate');
    }
  }

  /** Swap what we send (device switch, camera off = null, screen share); no renegotiation. */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    try {
      await this.senders[kind].replaceTrack(track);
    } catch (err) {
      this.fail(err, `replaceTrack(${kind})`);
    }
  }

  /** The sender of `kind`; the screen's exists once a share added it. */
  sender(kind: MediaKind): RTCRtpSender;
  sender(kind: 'screen'): RTCRtpSender | undefined;
  sender(kind: MediaKind | 'screen'): RTCRtpSender | undefined {
    return kind === 'screen' ? this.screenSender : this.senders[kind];
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
      if (track) this.addScreenSender(track, stream);
      return;
    }
    try {
      await sender.replaceTrack(track);
    } catch (err) {
      this.fail(err, 'replaceTrack(screen)');
    }
  }

  /**
   * Caps the video senders (camera and screen). Calls are chained because a setParameters
   * racing another getParameters/setParameters pair is rejected (stale transaction id).
   */
  setMaxVideoBitrate(bps: number): Promise<void> {
    this.maxVideoBitrate = bps;
    const apply = async () => {
      for (const sender of [this.senders.video, this.screenSender]) {
        if (this.closed || !sender) continue;
        const params = sender.getParameters();
        if (!params.encodings || params.encodings.length === 0) continue;
        if (params.encodings.every((e) => e.maxBitrate === bps)) continue;
        for (const e of params.encodings) e.maxBitrate = bps;
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
    this.clearDisconnectedTimer();
    this.pc.close();
    this.setState('closed');
    this.events.clear();
  }

  // ---- internals ----

  /**
   * A video sender's encodings, set at creation: before negotiation some browsers answer
   * getParameters() with no encodings, and setParameters cannot add one.
   */
  private videoEncodings(): RTCRtpEncodingParameters[] {
    return [this.maxVideoBitrate ? { maxBitrate: this.maxVideoBitrate } : {}];
  }

  /**
   * `sendrecv`, not `sendonly`: today the remote receives on a transceiver of its own, but a
   * negotiation that lets the answerer adopt the offer's transceivers may share back on it.
   */
  private addScreenSender(track: MediaStreamTrack, stream: MediaStream | undefined): void {
    try {
      this.screenSender = this.pc.addTransceiver(track, {
        direction: 'sendrecv',
        streams: stream ? [stream] : [],
        sendEncodings: this.videoEncodings(),
      }).sender;
    } catch (err) {
      this.fail(err, 'addTransceiver(screen)');
    }
  }

  private async onNegotiationNeeded(): Promise<void> {
    if (this.closed) return;
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
