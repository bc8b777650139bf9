/**
 * A fake RTCPeerConnection that really negotiates with another fake: descriptions carry
 * the media sections (mid, kind, direction, stream ids) and an ICE ufrag as JSON, so two
 * of them joined by a message wire go through offer/answer, glare, rollback, trickled
 * candidates and ICE restarts the way browsers do (JSEP rules, simplified):
 *
 * - Operations (SLD, SRD, addIceCandidate) run one at a time on an operations chain.
 * - `negotiationneeded` fires when stable, with an empty chain, while a transceiver has
 *   no mid yet or an ICE restart is pending.
 * - SRD(offer) in `have-local-offer` rolls back the local offer first (implicit rollback).
 * - Transceivers made by addTransceiver are never matched to a remote offer's sections;
 *   new remote sections get new `recvonly` transceivers (so each side sends on its own
 *   sections, as in browsers).
 * - ICE connects once both descriptions are set and a candidate for the current remote
 *   ufrag arrived; `simulateIceState('failed')` breaks it until an ICE restart.
 * Nothing uses timers: everything is microtasks, so a test drives timing by choosing
 * when to deliver messages.
 */
import type { PeerConnectionCtor } from '../peer';
import { FakeMediaStream, FakeMediaStreamTrack, fakeId } from './fake-media';
import type { Kind } from './fake-media';

type Direction = RTCRtpTransceiverDirection;
const sends = (d: Direction | null) => d === 'sendrecv' || d === 'sendonly';
const receives = (d: Direction | null) => d === 'sendrecv' || d === 'recvonly';
const direction = (send: boolean, recv: boolean): Direction =>
  send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
const reverse = (d: Direction): Direction => direction(receives(d), sends(d));

interface Section {
  mid: string;
  kind: Kind;
  direction: Direction;
  streamIds: string[];
}
interface FakeSdp {
  ufrag: string;
  sections: Section[];
}
const encode = (sdp: FakeSdp): string => `v=0\r\na=fake:${JSON.stringify(sdp)}`;
const decode = (sdp: string): FakeSdp => JSON.parse(sdp.slice(sdp.indexOf(':') + 1)) as FakeSdp;

const stateError = (msg: string) => new DOMException(msg, 'InvalidStateError');

/** Microtasks before trickled candidates surface: after the SLD promise has settled. */
const GATHER_DELAY_TICKS = 20;

export class FakeRTCRtpSender {
  readonly replaceTrackCalls: (FakeMediaStreamTrack | null)[] = [];
  private encodings: RTCRtpEncodingParameters[];
  private transactionId = fakeId('tx');

  constructor(
    public track: FakeMediaStreamTrack | null,
    encodings: readonly RTCRtpEncodingParameters[],
  ) {
    this.encodings = encodings.map((e) => ({ ...e }));
  }

  replaceTrack(track: FakeMediaStreamTrack | null): Promise<void> {
    this.replaceTrackCalls.push(track);
    this.track = track;
    return Promise.resolve();
  }

  getParameters(): RTCRtpSendParameters {
    return {
      transactionId: this.transactionId,
      encodings: this.encodings.map((e) => ({ ...e })),
      codecs: [],
      headerExtensions: [],
      rtcp: {},
    };
  }

  /** Like Chrome: only the parameters from the latest getParameters() are accepted. */
  setParameters(p: RTCRtpSendParameters): Promise<void> {
    if (p.transactionId !== this.transactionId || p.encodings.length !== this.encodings.length) {
      return Promise.reject(new DOMException('stale parameters', 'InvalidModificationError'));
    }
    this.encodings = p.encodings.map((e) => ({ ...e }));
    this.transactionId = fakeId('tx');
    return Promise.resolve();
  }

  get maxBitrate(): number | undefined {
    return this.encodings[0]?.maxBitrate;
  }
}

export class FakeRTCRtpReceiver {
  readonly track: FakeMediaStreamTrack;
  /** Set by tests: what getSynchronizationSources() answers (audio level 0..1). */
  sources: RTCRtpSynchronizationSource[] = [];
  constructor(kind: Kind) {
    this.track = new FakeMediaStreamTrack(kind, `remote ${kind}`);
  }
  getSynchronizationSources(): RTCRtpSynchronizationSource[] {
    return this.sources;
  }
}

export class FakeRTCRtpTransceiver {
  mid: string | null = null;
  currentDirection: Direction | null = null;
  stopped = false;
  readonly sender: FakeRTCRtpSender;
  readonly receiver: FakeRTCRtpReceiver;
  /** Remote stream ids of the section this transceiver receives on. */
  remoteStreamIds: string[] = [];
  trackFired = false;
  /** The mid came from our pending offer; a rollback takes it back. */
  midFromPendingOffer = false;
  /** Created by the pending remote offer; a rollback of that offer removes it. */
  fromPendingRemoteOffer = false;

  constructor(
    readonly kind: Kind,
    public direction: Direction,
    track: FakeMediaStreamTrack | null,
    encodings: readonly RTCRtpEncodingParameters[],
    readonly streamIds: string[],
    readonly createdByRemote: boolean,
  ) {
    this.sender = new FakeRTCRtpSender(track, encodings);
    this.receiver = new FakeRTCRtpReceiver(kind);
  }
}

function fire(target: EventTarget, type: string, props: Record<string, unknown> = {}): void {
  target.dispatchEvent(Object.assign(new Event(type), props));
}

export class FakeRTCPeerConnection extends EventTarget {
  signalingState: RTCSignalingState = 'stable';
  iceConnectionState: RTCIceConnectionState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  currentLocalDescription: RTCSessionDescriptionInit | null = null;
  currentRemoteDescription: RTCSessionDescriptionInit | null = null;
  pendingLocalDescription: RTCSessionDescriptionInit | null = null;
  pendingRemoteDescription: RTCSessionDescriptionInit | null = null;
  /** What happened, in order: 'SLD offer', 'SRD answer', 'rollback', 'negotiationneeded'... */
  readonly log: string[] = [];
  rollbacks = 0;
  restartIceCalls = 0;
  closed = false;
  /** Set by tests: what getStats() resolves to. */
  stats: Map<string, Record<string, unknown>> = new Map();

  private readonly transceivers: FakeRTCRtpTransceiver[] = [];
  private chain: Promise<void> = Promise.resolve();
  private pendingOps = 0;
  private negotiationQueued = false;
  private iceRestartPending = false;
  private iceRestartPendingBeforeOffer = false;
  private localUfrag: string | null = null;
  private pendingLocalUfrag: string | null = null;
  private remoteCandidateUfrags = new Set<string>();
  private brokenLocalUfrag: string | null | undefined;
  private remoteIceChangedByPendingOffer = false;
  private readonly remoteStreams = new Map<string, FakeMediaStream>();

  constructor(public configuration: RTCConfiguration = {}) {
    super();
  }

  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
  }

  // ---- tracks ----

  addTransceiver(
    trackOrKind: FakeMediaStreamTrack | Kind,
    init: RTCRtpTransceiverInit = {},
  ): FakeRTCRtpTransceiver {
    if (this.closed) throw stateError('closed');
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    const t = new FakeRTCRtpTransceiver(
      kind,
      init.direction ?? 'sendrecv',
      track,
      init.sendEncodings ?? [{ active: true }],
      (init.streams ?? []).map((s) => s.id),
      false,
    );
    this.transceivers.push(t);
    this.updateNegotiationNeeded();
    return t;
  }

  getTransceivers(): FakeRTCRtpTransceiver[] {
    return [...this.transceivers];
  }
  getSenders(): FakeRTCRtpSender[] {
    return this.transceivers.map((t) => t.sender);
  }
  getReceivers(): FakeRTCRtpReceiver[] {
    return this.transceivers.map((t) => t.receiver);
  }

  // ---- negotiation ----

  setLocalDescription(desc?: RTCSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      const type = desc?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
      if (type === 'rollback') return this.rollbackLocal();
      if (type === 'offer') return this.applyLocalOffer();
      if (type === 'answer') return this.applyLocalAnswer();
      throw stateError(`unsupported local description ${type}`);
    });
  }

  setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      if (desc.type === 'rollback') return this.rollbackRemote();
      if (desc.type === 'offer') return this.applyRemoteOffer(desc);
      if (desc.type === 'answer') return this.applyRemoteAnswer(desc);
      throw stateError(`unsupported remote description ${desc.type}`);
    });
  }

  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    return this.enqueue(() => {
      if (!this.remoteDescription) throw stateError('The remote description was null');
      if (!candidate?.candidate) return; // end of candidates
      const remote = decode(this.remoteDescription.sdp ?? '').ufrag;
      if (candidate.usernameFragment && candidate.usernameFragment !== remote) {
        throw new DOMException('Unknown ufrag', 'OperationError');
      }
      this.remoteCandidateUfrags.add(remote);
      this.checkConnected();
    });
  }

  restartIce(): void {
    this.restartIceCalls += 1;
    this.iceRestartPending = true;
    this.updateNegotiationNeeded();
  }

  getStats(): Promise<Map<string, Record<string, unknown>>> {
    return Promise.resolve(this.stats);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signalingState = 'closed';
    this.iceConnectionState = 'closed';
    this.connectionState = 'closed';
  }

  // ---- test controls ----

  /** The network changed under ICE: 'failed' stays failed until an ICE restart completes. */
  simulateIceState(state: 'disconnected' | 'failed' | 'connected'): void {
    if (state === 'failed') this.brokenLocalUfrag = this.localUfrag;
    this.setIceState(state);
  }

  transceiverOf(kind: Kind, createdByRemote = false): FakeRTCRtpTransceiver | undefined {
    return this.transceivers.find((t) => t.kind === kind && t.createdByRemote === createdByRemote);
  }

  // ---- internals ----

  private enqueue(op: () => void): Promise<void> {
    this.pendingOps += 1;
    const run = this.chain.then(() => {
      if (this.closed) throw stateError('The peer connection is closed');
      op();
    });
    this.chain = run
      .catch(() => undefined)
      .then(() => {
        this.pendingOps -= 1;
        if (this.pendingOps === 0) this.updateNegotiationNeeded();
      });
    return run;
  }

  private applyLocalOffer(): void {
    if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') {
      throw stateError(`Cannot create an offer in ${this.signalingState}`);
    }
    for (const t of this.transceivers) {
      if (t.stopped || t.mid !== null) continue;
      t.mid = this.nextMid();
      t.midFromPendingOffer = true;
    }
    const ufrag = this.iceRestartPending || !this.localUfrag ? fakeId('ufrag') : this.localUfrag;
    this.iceRestartPendingBeforeOffer = this.iceRestartPending;
    this.iceRestartPending = false;
    const sections = this.associated().map((t) => this.section(t, t.direction));
    const desc: RTCSessionDescriptionInit = { type: 'offer', sdp: encode({ ufrag, sections }) };
    this.pendingLocalDescription = desc;
    this.localDescription = desc;
    this.pendingLocalUfrag = ufrag;
    this.log.push('SLD offer');
    this.setSignalingState('have-local-offer');
    this.gather(ufrag);
  }

  private applyLocalAnswer(): void {
    if (this.signalingState !== 'have-remote-offer' || !this.pendingRemoteDescription) {
      throw stateError(`Cannot create an answer in ${this.signalingState}`);
    }
    const offer = decode(this.pendingRemoteDescription.sdp ?? '');
    const sections = offer.sections.map((s) => {
      const t = this.byMid(s.mid)!;
      const answered = direction(
        sends(t.direction) && receives(s.direction),
        receives(t.direction) && sends(s.direction),
      );
      t.currentDirection = answered;
      t.fromPendingRemoteOffer = false;
      return this.section(t, answered);
    });
    const restart = this.localUfrag === null || this.remoteIceChangedByPendingOffer;
    const ufrag = restart ? fakeId('ufrag') : this.localUfrag!;
    this.localUfrag = ufrag;
    const desc: RTCSessionDescriptionInit = { type: 'answer', sdp: encode({ ufrag, sections }) };
    this.currentLocalDescription = desc;
    this.localDescription = desc;
    this.pendingLocalDescription = null;
    this.currentRemoteDescription = this.pendingRemoteDescription;
    this.pendingRemoteDescription = null;
    this.log.push('SLD answer');
    this.setSignalingState('stable');
    this.gather(ufrag);
    this.checkConnected();
  }

  private applyRemoteOffer(desc: RTCSessionDescriptionInit): void {
    if (this.signalingState === 'have-local-offer') {
      this.log.push('implicit rollback');
      this.rollbackLocal();
    }
    if (this.signalingState !== 'stable' && this.signalingState !== 'have-remote-offer') {
      throw stateError(`Cannot set a remote offer in ${this.signalingState}`);
    }
    const offer = decode(desc.sdp ?? '');
    const previous = this.currentRemoteDescription
      ? decode(this.currentRemoteDescription.sdp ?? '').ufrag
      : null;
    this.remoteIceChangedByPendingOffer = previous !== offer.ufrag;
    const toFire: FakeRTCRtpTransceiver[] = [];
    for (const s of offer.sections) {
      let t = this.byMid(s.mid);
      if (!t) {
        t = new FakeRTCRtpTransceiver(s.kind, 'recvonly', null, [{ active: true }], [], true);
        t.mid = s.mid;
        t.fromPendingRemoteOffer = true;
        this.transceivers.push(t);
      }
      t.remoteStreamIds = s.streamIds;
      if (sends(s.direction)) toFire.push(t);
    }
    this.pendingRemoteDescription = desc;
    this.remoteDescription = desc;
    this.log.push('SRD offer');
    this.setSignalingState('have-remote-offer');
    for (const t of toFire) this.fireTrack(t);
  }

  private applyRemoteAnswer(desc: RTCSessionDescriptionInit): void {
    if (this.signalingState !== 'have-local-offer') {
      throw stateError(`Called in wrong state: ${this.signalingState}`);
    }
    const answer = decode(desc.sdp ?? '');
    const toFire: FakeRTCRtpTransceiver[] = [];
    for (const s of answer.sections) {
      const t = this.byMid(s.mid);
      if (!t) throw new DOMException(`Unknown mid ${s.mid}`, 'OperationError');
      t.currentDirection = reverse(s.direction);
      t.midFromPendingOffer = false;
      if (sends(s.direction)) toFire.push(t);
    }
    this.currentLocalDescription = this.pendingLocalDescription;
    this.localDescription = this.currentLocalDescription;
    this.pendingLocalDescription = null;
    this.localUfrag = this.pendingLocalUfrag;
    this.currentRemoteDescription = desc;
    this.remoteDescription = desc;
    this.log.push('SRD answer');
    this.setSignalingState('stable');
    for (const t of toFire) this.fireTrack(t);
    this.checkConnected();
  }

  private rollbackLocal(): void {
    if (this.signalingState !== 'have-local-offer') {
      throw stateError(`Cannot roll back in ${this.signalingState}`);
    }
    for (const t of this.transceivers) {
      if (!t.midFromPendingOffer) continue;
      t.mid = null;
      t.midFromPendingOffer = false;
    }
    this.iceRestartPending = this.iceRestartPendingBeforeOffer;
    this.pendingLocalDescription = null;
    this.localDescription = this.currentLocalDescription;
    this.pendingLocalUfrag = null;
    this.rollbacks += 1;
    this.log.push('rollback');
    this.setSignalingState('stable');
  }

  private rollbackRemote(): void {
    if (this.signalingState !== 'have-remote-offer') {
      throw stateError(`Cannot roll back in ${this.signalingState}`);
    }
    for (let i = this.transceivers.length - 1; i >= 0; i--) {
      if (this.transceivers[i]!.fromPendingRemoteOffer) this.transceivers.splice(i, 1);
    }
    this.pendingRemoteDescription = null;
    this.remoteDescription = this.currentRemoteDescription;
    this.rollbacks += 1;
    this.log.push('rollback');
    this.setSignalingState('stable');
  }

  private fireTrack(t: FakeRTCRtpTransceiver): void {
    if (t.trackFired) return;
    t.trackFired = true;
    const streams = t.remoteStreamIds.map((id) => {
      let s = this.remoteStreams.get(id);
      if (!s) this.remoteStreams.set(id, (s = new FakeMediaStream()));
      s.addTrack(t.receiver.track);
      return s;
    });
    fire(this, 'track', {
      track: t.receiver.track,
      streams,
      receiver: t.receiver,
      transceiver: t,
    });
  }

  private gather(ufrag: string): void {
    let p = Promise.resolve();
    for (let i = 0; i < GATHER_DELAY_TICKS; i++) p = p.then(() => undefined);
    void p.then(() => {
      // A rolled-back offer's gatherer is discarded.
      if (this.closed || (ufrag !== this.localUfrag && ufrag !== this.pendingLocalUfrag)) return;
      const candidate = {
        candidate: `candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host ufrag ${ufrag}`,
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: ufrag,
      };
      fire(this, 'icecandidate', { candidate: { ...candidate, toJSON: () => candidate } });
      fire(this, 'icecandidate', { candidate: null });
    });
  }

  private checkConnected(): void {
    if (this.closed || !this.currentLocalDescription || !this.currentRemoteDescription) return;
    const remote = decode(this.currentRemoteDescription.sdp ?? '').ufrag;
    if (!this.remoteCandidateUfrags.has(remote)) return;
    if (this.brokenLocalUfrag !== undefined) {
      if (this.brokenLocalUfrag === this.localUfrag) return; // still the broken session
      this.brokenLocalUfrag = undefined;
    }
    if (this.iceConnectionState !== 'connected') this.setIceState('connected');
  }

  private setIceState(state: RTCIceConnectionState): void {
    if (this.closed) return;
    this.iceConnectionState = state;
    fire(this, 'iceconnectionstatechange');
    const pcState: RTCPeerConnectionState =
      state === 'checking' ? 'connecting' : state === 'completed' ? 'connected' : state;
    if (pcState !== this.connectionState) {
      this.connectionState = pcState;
      fire(this, 'connectionstatechange');
    }
  }

  private setSignalingState(state: RTCSignalingState): void {
    this.signalingState = state;
    fire(this, 'signalingstatechange');
  }

  private updateNegotiationNeeded(): void {
    if (!this.mayFireNegotiationNeeded() || this.negotiationQueued) return;
    this.negotiationQueued = true;
    void Promise.resolve().then(() => {
      this.negotiationQueued = false;
      // If the chain is busy now, its end calls us again.
      if (!this.mayFireNegotiationNeeded()) return;
      this.log.push('negotiationneeded');
      fire(this, 'negotiationneeded');
    });
  }

  private mayFireNegotiationNeeded(): boolean {
    if (this.closed || this.signalingState !== 'stable' || this.pendingOps > 0) return false;
    return this.iceRestartPending || this.transceivers.some((t) => !t.stopped && t.mid === null);
  }

  private associated(): FakeRTCRtpTransceiver[] {
    return this.transceivers
      .filter((t) => t.mid !== null)
      .sort((a, b) => Number(a.mid) - Number(b.mid));
  }

  private section(t: FakeRTCRtpTransceiver, dir: Direction): Section {
    return { mid: t.mid!, kind: t.kind, direction: dir, streamIds: t.streamIds };
  }

  private byMid(mid: string): FakeRTCRtpTransceiver | undefined {
    return this.transceivers.find((t) => t.mid === mid);
  }

  private nextMid(): string {
    const used = new Set(this.transceivers.map((t) => t.mid));
    let n = 0;
    while (used.has(String(n))) n++;
    return String(n);
  }
}

/** A constructor that records every fake it makes, for a test to inspect. */
export function fakePeerConnectionFactory(): {
  ctor: PeerConnectionCtor;
  instances: FakeRTCPeerConnection[];
} {
  const instances: FakeRTCPeerConnection[] = [];
  class Recorded extends FakeRTCPeerConnection {
    constructor(config: RTCConfiguration) {
      super(config);
      instances.push(this);
    }
  }
  return { ctor: Recorded as unknown as PeerConnectionCtor, instances };
}
