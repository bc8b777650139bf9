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

type PeerEvents = {
  /** A remote track arrived; `stream` is this link's remote stream (same object each time). */
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
 * The audio and video senders are created once with addTransceiver, so a device switch,
 * camera off or a screen share is a `replaceTrack` with no renegotiation.
 */
export class PeerLink {
  readonly polite: boolean;
  readonly pc: RTCPeerConnection;
  readonly remoteStream: MediaStream;
  readonly counters: NegotiationCounters = { offers: 0, rolledBack: 0, ignored: 0, iceRestarts: 0 };

  private readonly opts: PeerLinkOptions;
  private readonly clock: Clock;
  private readonly events = new Emitter<PeerEvents>();
  private readonly senders: Record<MediaKind, RTCRtpSender>;
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
    pc.addEventListener('track', (e) => this.onTrack(e.track));
    pc.addEventListener('iceconnectionstatechange', () => this.onConnectionChange());
    pc.addEventListener('connectionstatechange', () => this.onConnectionChange());

    const streams = opts.localStream ? [opts.localStream] : [];
    this.senders = {
      audio: pc.addTransceiver(opts.audioTrack ?? 'audio', { direction: 'sendrecv', streams })
        .sender,
      video: pc.addTransceiver(opts.videoTrack ?? 'video', {
        direction: 'sendrecv',
        streams,
        // Set at creation: before negotiation some browsers answer getParameters() with no
        // encodings, and setParameters cannot add one.
        sendEncodings: [this.maxVideoBitrate ? { maxBitrate: this.maxVideoBitrate } : {}],
      }).sender,
    };
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

  sender(kind: MediaKind): RTCRtpSender {
    return this.senders[kind];
  }

  /**
   * Caps the video sender. Calls are chained because a setParameters racing another
   * getParameters/setParameters pair is rejected (stale transaction id).
   */
  setMaxVideoBitrate(bps: number): Promise<void> {
    this.maxVideoBitrate = bps;
    const apply = async () => {
      if (this.closed) return;
      const sender = this.senders.video;
      const params = sender.getParameters();
      if (!params.encodings || params.encodings.length === 0) return;
      if (params.encodings.every((e) => e.maxBitrate === bps)) return;
      for (const e of params.encodings) e.maxBitrate = bps;
      try {
        await sender.setParameters(params);
      } catch (err) {
        this.fail(err, 'setParameters');
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

  private onTrack(track: MediaStreamTrack): void {
    if (this.closed) return;
    if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
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
