/**
 * A fake RTCPeerConnection that really negotiates with another fake: descriptions carry
 * the media sections (mid, kind, direction, stream ids) and an ICE ufrag as JSON on an
 * `a=fake:` line after a real-looking origin (`o=- <session id> <version> …`), so two of
 * them joined by a message wire go through offer/answer, glare, rollback, trickled
 * candidates, ICE restarts and replaced connections the way browsers do (JSEP, simplified):
 *
 * - Operations (SLD, SRD, addIceCandidate) run one at a time on an operations chain.
 * - The origin's session id is fixed for the life of the connection (RFC 3264) and random
 *   per instance; the version goes up with every local description.
 * - `negotiationneeded` fires when stable, with an empty chain, while a transceiver has
 *   no mid yet, an ICE restart is pending, or (as browsers check) a transceiver's
 *   `direction` or its sender's stream ids differ from what the current local description
 *   negotiated. So changing them while an offer is being answered costs nothing; changing
 *   them afterwards costs a re-offer.
 * - SRD(offer) in `have-local-offer` rolls back the local offer first (implicit rollback).
 * - Transceivers made by addTransceiver are never matched to a remote offer's sections
 *   (JSEP matches only addTrack-made ones); new remote sections get new `recvonly`
 *   transceivers, whose `direction` the answerer may set before answering: the answer's
 *   section is that direction intersected with the reverse of the offered one.
 * - A candidate carries its generation's ufrag; addIceCandidate refuses (OperationError,
 *   as Chromium does) a ufrag of no remote description this connection has seen, and
 *   ignores one of an earlier generation.
 * - ICE connects once both descriptions are set and a candidate for the current remote
 *   ufrag arrived; `simulateIceState('failed')` breaks it until an ICE restart, and a
 *   `wedged` connection gathers nothing and never connects (ICE restarts do not help;
 *   only a new RTCPeerConnection does).
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
/** What an answerer may answer to an offered direction (JSEP 5.3.1). */
const answered = (own: Direction, offered: Direction): Direction =>
  direction(sends(own) && receives(offered), receives(own) && sends(offered));
const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

export interface FakeSection {
  mid: string;
  kind: Kind;
  direction: Direction;
  /** The sender's stream ids (a=msid), only in a section that sends. */
  streamIds: string[];
}
interface FakeSdpBody {
  ufrag: string;
  sections: FakeSection[];
}
export interface FakeSdp extends FakeSdpBody {
  sessionId: string;
  version: number;
}

const FAKE_LINE = 'a=fake:';

const encode = (body: FakeSdpBody, sessionId: string, version: number): string =>
  `v=0\r\no=- ${sessionId} ${version} IN IP4 127.0.0.1\r\n${FAKE_LINE}${JSON.stringify(body)}\r\n`;

/** What a fake description says: its origin and its JSON body. Throws on anything else. */
export function decodeFakeSdp(sdp: string | undefined): FakeSdp {
  const origin = /^o=\S+ (\S+) (\d+) /m.exec(sdp ?? '');
  const start = (sdp ?? '').indexOf(FAKE_LINE);
  if (!origin || start < 0) throw new DOMException('Not a fake description', 'OperationError');
  const line = sdp!.slice(start + FAKE_LINE.length).split(/\r?\n/)[0]!;
  const body = JSON.parse(line) as FakeSdpBody;
  return { ...body, sessionId: origin[1]!, version: Number(origin[2]) };
}
const decode = decodeFakeSdp;

const stateError = (msg: string) => new DOMException(msg, 'InvalidStateError');

/** Microtasks before trickled candidates surface: after the SLD promise has settled. */
const GATHER_DELAY_TICKS = 20;

const usedSessionIds = new Set<string>();
/** 18 random digits, like a browser's 64-bit origin session id; never the same twice. */
function newSessionId(): string {
  for (;;) {
    let id = String(1 + Math.floor(Math.random() * 9));
    while (id.length < 18) id += String(Math.floor(Math.random() * 10));
    if (!usedSessionIds.has(id)) {
      usedSessionIds.add(id);
      return id;
    }
  }
}

export class FakeRTCRtpSender {
  readonly replaceTrackCalls: (FakeMediaStreamTrack | null)[] = [];
  /** The ids of the streams the remote will see this sender's track in (setStreams). */
  streamIds: string[];
  private encodings: RTCRtpEncodingParameters[];
  private transactionId = fakeId('tx');

  constructor(
    public track: FakeMediaStreamTrack | null,
    encodings: readonly RTCRtpEncodingParameters[],
    streamIds: readonly string[] = [],
    /** Tells the connection to check whether negotiation is needed. */
    private readonly changed: () => void = () => undefined,
  ) {
    this.encodings = encodings.map((e) => ({ ...e }));
    this.streamIds = [...streamIds];
  }

  replaceTrack(track: FakeMediaStreamTrack | null): Promise<void> {
    this.replaceTrackCalls.push(track);
    this.track = track;
    return Promise.resolve();
  }

  /** Like the browser: needs a negotiation unless done before the answer that carries it. */
  setStreams(...streams: { id: string }[]): void {
    this.streamIds = streams.map((s) => s.id);
    this.changed();
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
  private _direction: Direction;

  constructor(
    readonly kind: Kind,
    direction: Direction,
    track: FakeMediaStreamTrack | null,
    encodings: readonly RTCRtpEncodingParameters[],
    streamIds: readonly string[],
    /** Made by setRemoteDescription for a section of the remote's offer. */
    readonly createdByRemote: boolean,
    private readonly changed: () => void = () => undefined,
  ) {
    this._direction = direction;
    this.sender = new FakeRTCRtpSender(track, encodings, streamIds, changed);
    this.receiver = new FakeRTCRtpReceiver(kind);
  }

  /** Settable, like the browser's; a change outside an answer in progress renegotiates. */
  get direction(): Direction {
    return this._direction;
  }
  set direction(d: Direction) {
    this._direction = d;
    this.changed();
  }

  /** The sender's stream ids (what our descriptions say for this section). */
  get streamIds(): string[] {
    return this.sender.streamIds;
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
  /**
   * Set by tests: this connection gathers no candidates and never connects, whatever is
   * renegotiated (what Chromium sometimes does after a rollback). A new one is not wedged.
   */
  wedged = false;
  /** The origin's session id, the same in every description of this connection. */
  readonly sessionId = newSessionId();
  /** Every local ICE ufrag, in order: one per ICE generation (restarts add one). */
  readonly localUfrags: string[] = [];
  /** Every candidate given to addIceCandidate, accepted or not. */
  readonly remoteCandidates: RTCIceCandidateInit[] = [];

  private readonly transceivers: FakeRTCRtpTransceiver[] = [];
  private chain: Promise<void> = Promise.resolve();
  private pendingOps = 0;
  private negotiationQueued = false;
  private iceRestartPending = false;
  private iceRestartPendingBeforeOffer = false;
  private localUfrag: string | null = null;
  private pendingLocalUfrag: string | null = null;
  private sdpVersion = 1;
  /** Every remote ufrag of a description set here: candidates of others are refused. */
  private readonly remoteUfrags = new Set<string>();
  private remoteCandidateUfrags = new Set<string>();
  private brokenLocalUfrag: string | null | undefined;
  private remoteIceChangedByPendingOffer = false;
  private readonly remoteStreams = new Map<string, FakeMediaStream>();
  private readonly changed = () => this.updateNegotiationNeeded();

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
      this.changed,
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
      this.remoteCandidates.push(candidate);
      const current = decode(this.remoteDescription.sdp).ufrag;
      // No ufrag: the candidate belongs to the current generation, as in browsers.
      const ufrag = candidate.usernameFragment ?? current;
      if (!this.remoteUfrags.has(ufrag)) {
        throw new DOMException('Error processing ICE candidate', 'OperationError');
      }
      if (ufrag !== current) return; // an earlier generation's: nothing to do with it
      this.remoteCandidateUfrags.add(ufrag);
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

  /**
   * The transceivers we send on (direction sendrecv/sendonly), in section order: on either
   * side of a link, [audio, camera] and then the screen once shared. Whether the offerer
   * made them or the answerer adopted them from the offer does not matter.
   */
  sendingTransceivers(): FakeRTCRtpTransceiver[] {
    return this.inSectionOrder().filter((t) => sends(t.direction));
  }

  /** The transceivers the remote's media arrives on (negotiated to receive), in section order. */
  receivingTransceivers(): FakeRTCRtpTransceiver[] {
    return this.associated().filter((t) => receives(t.currentDirection));
  }

  /** The transceiver that sends our `kind` (the camera for video), if any. */
  sending(kind: Kind): FakeRTCRtpTransceiver | undefined {
    return this.sendingTransceivers().find((t) => t.kind === kind);
  }

  /** The sections of the current local description ([] before one). */
  localSections(): FakeSection[] {
    return this.currentLocalDescription ? decode(this.currentLocalDescription.sdp).sections : [];
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

  private describe(type: 'offer' | 'answer', body: FakeSdpBody): RTCSessionDescriptionInit {
    return { type, sdp: encode(body, this.sessionId, this.sdpVersion++) };
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
    const ufrag = this.iceRestartPending || !this.localUfrag ? this.newUfrag() : this.localUfrag;
    this.iceRestartPendingBeforeOffer = this.iceRestartPending;
    this.iceRestartPending = false;
    const sections = this.associated().map((t) => this.section(t, t.direction));
    const desc = this.describe('offer', { ufrag, sections });
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
    const offer = decode(this.pendingRemoteDescription.sdp);
    const sections = offer.sections.map((s) => {
      const t = this.byMid(s.mid)!;
      const dir = answered(t.direction, s.direction);
      t.currentDirection = dir;
      t.fromPendingRemoteOffer = false;
      return this.section(t, dir);
    });
    const restart = this.localUfrag === null || this.remoteIceChangedByPendingOffer;
    const ufrag = restart ? this.newUfrag() : this.localUfrag!;
    this.localUfrag = ufrag;
    const desc = this.describe('answer', { ufrag, sections });
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
    const offer = decode(desc.sdp);
    const previous = this.currentRemoteDescription
      ? decode(this.currentRemoteDescription.sdp).ufrag
      : null;
    this.remoteIceChangedByPendingOffer = previous !== offer.ufrag;
    const toFire: FakeRTCRtpTransceiver[] = [];
    for (const s of offer.sections) {
      let t = this.byMid(s.mid);
      if (!t) {
        t = new FakeRTCRtpTransceiver(
          s.kind,
          'recvonly',
          null,
          [{ active: true }],
          [],
          true,
          this.changed,
        );
        t.mid = s.mid;
        t.fromPendingRemoteOffer = true;
        this.transceivers.push(t);
      }
      t.remoteStreamIds = s.streamIds;
      if (sends(s.direction)) toFire.push(t);
    }
    this.remoteUfrags.add(offer.ufrag);
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
    const answer = decode(desc.sdp);
    const toFire: FakeRTCRtpTransceiver[] = [];
    for (const s of answer.sections) {
      const t = this.byMid(s.mid);
      if (!t) throw new DOMException(`Unknown mid ${s.mid}`, 'OperationError');
      t.currentDirection = reverse(s.direction);
      t.midFromPendingOffer = false;
      if (sends(s.direction)) {
        t.remoteStreamIds = s.streamIds;
        toFire.push(t);
      }
    }
    this.remoteUfrags.add(answer.ufrag);
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

  private newUfrag(): string {
    const ufrag = fakeId('ufrag');
    this.localUfrags.push(ufrag);
    return ufrag;
  }

  private gather(ufrag: string): void {
    let p = Promise.resolve();
    for (let i = 0; i < GATHER_DELAY_TICKS; i++) p = p.then(() => undefined);
    void p.then(() => {
      // A rolled-back offer's gatherer is discarded; a wedged connection finds nothing.
      if (this.closed || this.wedged) return;
      if (ufrag !== this.localUfrag && ufrag !== this.pendingLocalUfrag) return;
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
    if (this.closed || this.wedged) return;
    if (!this.currentLocalDescription || !this.currentRemoteDescription) return;
    const remote = decode(this.currentRemoteDescription.sdp).ufrag;
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
    if (this.iceRestartPending) return true;
    if (this.transceivers.some((t) => !t.stopped && t.mid === null)) return true;
    return this.negotiatedDiffers();
  }

  /**
   * The W3C "check if negotiation is needed" steps for associated transceivers: a sending
   * transceiver whose stream ids differ from the current local description's, or whose
   * direction differs from the negotiated one (in an offer: ours, or the reverse of the
   * answer's; in an answer: ours intersected with the reverse of the offer's).
   */
  private negotiatedDiffers(): boolean {
    if (!this.currentLocalDescription || !this.currentRemoteDescription) return false;
    const local = decode(this.currentLocalDescription.sdp);
    const remote = decode(this.currentRemoteDescription.sdp);
    const isOffer = this.currentLocalDescription.type === 'offer';
    for (const t of this.transceivers) {
      if (t.stopped || t.mid === null) continue;
      const ours = local.sections.find((s) => s.mid === t.mid);
      const theirs = remote.sections.find((s) => s.mid === t.mid);
      if (!ours || !theirs) continue;
      if (sends(t.direction) && !sameIds(ours.streamIds, t.sender.streamIds)) return true;
      if (isOffer) {
        if (ours.direction !== t.direction && reverse(theirs.direction) !== t.direction) {
          return true;
        }
      } else if (ours.direction !== answered(t.direction, theirs.direction)) {
        return true;
      }
    }
    return false;
  }

  private associated(): FakeRTCRtpTransceiver[] {
    return this.transceivers
      .filter((t) => t.mid !== null)
      .sort((a, b) => Number(a.mid) - Number(b.mid));
  }

  /** Associated transceivers by mid, then the ones not negotiated yet. */
  private inSectionOrder(): FakeRTCRtpTransceiver[] {
    return [...this.associated(), ...this.transceivers.filter((t) => t.mid === null)];
  }

  private section(t: FakeRTCRtpTransceiver, dir: Direction): FakeSection {
    return {
      mid: t.mid!,
      kind: t.kind,
      direction: dir,
      streamIds: sends(dir) ? [...t.sender.streamIds] : [],
    };
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

/**
 * A constructor that records every fake it makes, for a test to inspect; `onCreate` (set
 * it any time) sees each new one before anything else can, e.g. to wedge it.
 */
export function fakePeerConnectionFactory(): {
  ctor: PeerConnectionCtor;
  instances: FakeRTCPeerConnection[];
  onCreate: ((pc: FakeRTCPeerConnection, index: number) => void) | undefined;
} {
  const factory = {
    ctor: undefined as unknown as PeerConnectionCtor,
    instances: [] as FakeRTCPeerConnection[],
    onCreate: undefined as ((pc: FakeRTCPeerConnection, index: number) => void) | undefined,
  };
  class Recorded extends FakeRTCPeerConnection {
    constructor(config: RTCConfiguration) {
      super(config);
      factory.instances.push(this);
      factory.onCreate?.(this, factory.instances.length - 1);
    }
  }
  factory.ctor = Recorded as unknown as PeerConnectionCtor;
  return factory;
}
