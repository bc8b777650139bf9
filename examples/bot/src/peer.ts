import {
  MediaStream,
  MediaStreamTrack,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useAbsSendTime,
  useOPUS,
  useSdesMid,
  useVP8,
} from 'werift';
import type {
  RTCIceCandidate,
  RTCIceServer,
  RTCRtpReceiver,
  RTCRtpSender,
  RTCTrackEvent,
} from 'werift';
import { errorText, log } from './log.js';
import type { IceCandidate, SessionDescription, SignalPayload } from './protocol.js';
import { candidatesIn, newSessionId, sessionIdOf, withOrigin } from './sdp.js';

/** Engine rule 5: a link not connected within this long of its start is repaired. */
const REPAIR_BOUND_MS = 8_000;
/** …and within this long when another of our links is connected (the network works). */
const REPAIR_BOUND_FAST_MS = 4_000;
/** How long `disconnected` may last before it counts as broken. */
const DISCONNECTED_GRACE_MS = 3_000;
/** Engine rule 3: candidates that come before their description wait, a bounded number. */
const MAX_QUEUED_CANDIDATES = 100;
/** A keyframe request now and then, in case a lost one left the picture frozen. */
const KEYFRAME_INTERVAL_MS = 10_000;

export interface LinkOptions {
  localId: string;
  remoteId: string;
  /** The remote's display name, for the log. */
  name: string;
  /** The ICE servers for a new RTCPeerConnection (`GET /api/ice-servers`). */
  iceServers: () => RTCIceServer[];
  /** Sends a `signal` to the remote connection. */
  send: (payload: SignalPayload) => void;
  /** Whether another of our links is connected (then the repair bound is shorter). */
  othersConnected: () => boolean;
}

export interface LinkCounters {
  /** RTP packets received, by kind (all sections). */
  audioIn: number;
  videoIn: number;
  /** Packets of the remote's camera written back to it. */
  videoOut: number;
  /** PLIs we sent to the remote for its camera. */
  keyframeRequests: number;
}

interface RemoteTrack {
  track: MediaStreamTrack;
  streamId: string;
  receiver: RTCRtpReceiver;
}

/**
 * One link of the mesh: the peer connection to one remote connection, and the mirror. Follows
 * the engine rules (PROTOCOL.md): the newcomer offers (start), the answerer adopts the offer's
 * first audio and video sections, candidates wait for their description, perfect negotiation
 * by connectionId order, a new `o=` session id is a new peer connection, and a link that does
 * not connect repairs itself.
 *
 * Everything that touches the RTCPeerConnection runs in one queue, one step at a time, in the
 * order the signals arrived: the relay keeps a peer's signals in order, and so does the link.
 */
export class PeerLink {
  readonly polite: boolean;
  readonly counters: LinkCounters = { audioIn: 0, videoIn: 0, videoOut: 0, keyframeRequests: 0 };

  private pc: RTCPeerConnection | undefined;
  /** Our `o=` session id and version for the current pc (see withOrigin). */
  private sessionId = '';
  private version = 0;
  /** The remote's `o=` session id in the description we applied last. */
  private remoteSessionId: string | undefined;
  private steps: Promise<void> = Promise.resolve();
  private ignoreOffer = false;
  private readonly remoteCandidates: IceCandidate[] = [];
  /** Our candidates wait while a description of ours is being made (it must go first). */
  private holdLocal = true;
  private heldLocal: IceCandidate[] = [];
  private sentCandidates = new Set<string>();
  /** What we send: an audio track (silent) and the video track the mirror writes into. */
  private media = newMedia();
  private remoteTracks: RemoteTrack[] = [];
  private camera: RemoteTrack | undefined;
  private state = 'new';
  private repairTimer: NodeJS.Timeout | undefined;
  private disconnectedTimer: NodeJS.Timeout | undefined;
  private keyframeTimer: NodeJS.Timeout | undefined;
  private firstRtp = { audio: false, video: false };
  private closed = false;

  constructor(private readonly opts: LinkOptions) {
    // PROTOCOL.md `signal`: the connection whose id sorts first (plain string order) is polite.
    this.polite = opts.localId < opts.remoteId;
  }

  get remoteId(): string {
    return this.opts.remoteId;
  }

  get name(): string {
    return this.opts.name;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  get connectionState(): string {
    return this.state;
  }

  /** We are the newcomer (the remote was in our `room.joined`): open the link and offer. */
  start(): void {
    this.step('start', () => this.rebuild('start'));
  }

  /** An inbound `signal` from the remote. */
  handleSignal(payload: SignalPayload): void {
    this.step('signal', () => this.onSignal(payload));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    void this.pc?.close();
  }

  // ---- negotiation ----

  private step(during: string, task: () => Promise<void>): void {
    this.steps = this.steps.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (err) {
        log('error', { peer: this.remoteId, during, message: errorText(err) });
      }
    });
  }

  private async onSignal(payload: SignalPayload): Promise<void> {
    if ('description' in payload) {
      const d = payload.description;
      // How many sections the remote's description has: 2 (audio, camera) or 3 (a screen).
      const sections = d.sdp.split(/\r?\n/).filter((l) => l.startsWith('m=')).length;
      log('description', { peer: this.remoteId, type: d.type, sections });
      if (d.type === 'offer') return this.onOffer(d);
      if (d.type === 'answer') return this.onAnswer(d);
      return; // Parley clients send no pranswer or rollback
    }
    const candidate = payload.candidate;
    // End of candidates (null, or an empty candidate string): accepted by the server, unused.
    if (!candidate?.candidate) return;
    const pc = this.pc;
    if (!pc?.remoteDescription) {
      // Before its description: queue it (bounded); it never opens a negotiation.
      if (this.remoteCandidates.length < MAX_QUEUED_CANDIDATES) {
        this.remoteCandidates.push(candidate);
      }
      return;
    }
    // The candidates of an offer we ignored belong to nothing we have.
    if (this.ignoreOffer) return;
    await this.addCandidate(pc, candidate);
  }

  private async onOffer(offer: SessionDescription): Promise<void> {
    const sessionId = sessionIdOf(offer.sdp);
    let pc = this.pc;
    if (!pc) {
      pc = this.newPeerConnection();
    } else if (pc.remoteDescription && sessionId !== this.remoteSessionId) {
      // A new `o=` session id: the remote started a new peer connection; so do we.
      log('peer-restarted', { peer: this.remoteId });
      pc = this.newPeerConnection();
    } else if (pc.signalingState !== 'stable') {
      // Perfect negotiation: a collision with our own offer.
      if (!this.polite) {
        this.ignoreOffer = true;
        log('offer-ignored', { peer: this.remoteId });
        return;
      }
      // Polite: give way. Our first offer on a fresh pc is simply dropped with the pc (the
      // answerer then starts clean, with no transceivers); a re-offer is rolled back.
      if (pc.remoteDescription) await pc.setLocalDescription({ type: 'rollback' });
      else pc = this.newPeerConnection();
    }
    this.ignoreOffer = false;
    await pc.setRemoteDescription(offer);
    if (pc !== this.pc) return;
    this.remoteSessionId = sessionId;
    await this.adoptSections(pc);
    await this.flushRemoteCandidates(pc);
    this.holdLocal = true;
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc !== this.pc) return;
    this.sendDescription(pc);
    // The remote is negotiating: our own repair waits for a full bound from now.
    if (!this.connected) this.armRepair();
  }

  private async onAnswer(answer: SessionDescription): Promise<void> {
    const pc = this.pc;
    if (!pc || pc.signalingState !== 'have-local-offer') {
      log('answer-ignored', { peer: this.remoteId, state: pc?.signalingState ?? 'none' });
      return;
    }
    await pc.setRemoteDescription(answer);
    this.ignoreOffer = false;
    this.remoteSessionId = sessionIdOf(answer.sdp);
    await this.flushRemoteCandidates(pc);
  }

  /**
   * Engine rule 2 for the answerer: send on the offer's first audio and first video sections
   * (sendrecv, our tracks, our one stream); every other section (a screen, or the extra
   * sections of an older web client's re-offer) stays recvonly. On a pc where we offered, our
   * tracks already have their sections and nothing changes.
   */
  private async adoptSections(pc: RTCPeerConnection): Promise<void> {
    const transceivers = pc.getTransceivers();
    for (const kind of ['audio', 'video'] as const) {
      const track = this.media[kind];
      if (transceivers.some((t) => t.sender.track === track)) continue;
      const first = transceivers.find((t) => t.kind === kind);
      if (!first) continue;
      first.setDirection('sendrecv');
      await first.sender.replaceTrack(track);
      first.sender.setStreams([this.media.stream]);
      if (kind === 'video') this.watchSender(first.sender);
    }
  }

  private async flushRemoteCandidates(pc: RTCPeerConnection): Promise<void> {
    for (const candidate of this.remoteCandidates.splice(0)) await this.addCandidate(pc, candidate);
  }

  private async addCandidate(pc: RTCPeerConnection, candidate: IceCandidate): Promise<void> {
    try {
      await pc.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        usernameFragment: candidate.usernameFragment ?? undefined,
      });
    } catch (err) {
      log('error', { peer: this.remoteId, during: 'addIceCandidate', message: errorText(err) });
    }
  }

  /** Closes the current pc (if any), opens a new one with our sections, and offers. */
  private async rebuild(reason: string): Promise<void> {
    const pc = this.newPeerConnection();
    const { stream, audio, video } = this.media;
    pc.addTransceiver(audio, { direction: 'sendrecv', streams: [stream] });
    this.watchSender(pc.addTransceiver(video, { direction: 'sendrecv', streams: [stream] }).sender);
    log('offer', { peer: this.remoteId, reason });
    await this.offer(pc, false);
  }

  private async offer(pc: RTCPeerConnection, iceRestart: boolean): Promise<void> {
    this.holdLocal = true;
    const offer = await pc.createOffer({ iceRestart });
    await pc.setLocalDescription(offer);
    if (pc !== this.pc || pc.signalingState !== 'have-local-offer') return;
    this.sendDescription(pc);
  }

  /**
   * Sends our local description with our pinned `o=` line, then the candidates that waited for
   * it. werift gathers inside setLocalDescription, so most candidates are already in the SDP
   * and are not sent again.
   */
  private sendDescription(pc: RTCPeerConnection): void {
    const local = pc.localDescription;
    if (!local) return;
    this.version += 1;
    const sdp = withOrigin(local.sdp, this.sessionId, this.version);
    for (const c of candidatesIn(sdp)) this.sentCandidates.add(c);
    this.opts.send({ description: { type: local.type, sdp } });
    this.holdLocal = false;
    for (const c of this.heldLocal.splice(0)) this.sendCandidate(c);
  }

  private onLocalCandidate(candidate: RTCIceCandidate | undefined): void {
    // End of candidates is not sent: nobody relies on it.
    if (!candidate?.candidate) return;
    const json = candidate.toJSON();
    if (this.holdLocal) this.heldLocal.push(json);
    else this.sendCandidate(json);
  }

  private sendCandidate(candidate: IceCandidate): void {
    if (this.sentCandidates.has(candidate.candidate)) return;
    this.sentCandidates.add(candidate.candidate);
    this.opts.send({ candidate });
  }

  /** A new RTCPeerConnection for this link (the old one, if any, is closed). */
  private newPeerConnection(): RTCPeerConnection {
    const old = this.pc;
    this.pc = undefined;
    void old?.close();
    this.sessionId = newSessionId();
    this.version = 0;
    this.remoteSessionId = undefined;
    this.ignoreOffer = false;
    this.remoteCandidates.length = 0; // a new connection's candidates follow its description
    this.holdLocal = true;
    this.heldLocal = [];
    this.sentCandidates = new Set();
    this.remoteTracks = [];
    this.camera = undefined;
    this.firstRtp = { audio: false, video: false };
    this.media = newMedia();
    const pc = new RTCPeerConnection({
      iceServers: this.opts.iceServers(),
      bundlePolicy: 'max-bundle',
      // Engine rule 6: Opus and VP8 work with every Parley client. VP8 only, because the
      // mirror writes the received VP8 packets back as they are.
      codecs: { audio: [useOPUS()], video: [useVP8()] },
      headerExtensions: { audio: [useSdesMid()], video: [useSdesMid(), useAbsSendTime()] },
    });
    this.pc = pc;
    // Events of a pc we already replaced or closed are old news.
    const mine = () => pc === this.pc && !this.closed;
    pc.onIceCandidate.subscribe((c) => {
      if (mine()) this.onLocalCandidate(c);
    });
    pc.ontrack = (event) => {
      if (mine()) this.onTrack(event);
    };
    pc.connectionStateChange.subscribe((state) => {
      if (mine()) this.onState(state);
    });
    this.setState('new');
    this.armRepair();
    return pc;
  }

  // ---- repair (engine rule 5) ----

  private onState(state: string): void {
    this.setState(state);
    clearTimeout(this.disconnectedTimer);
    if (state === 'connected') {
      clearTimeout(this.repairTimer);
      log('peer-connected', { peer: this.remoteId, name: this.name, polite: this.polite });
      this.requestKeyframe();
    } else if (state === 'failed') {
      this.broken('failed');
    } else if (state === 'disconnected') {
      this.disconnectedTimer = setTimeout(() => this.broken('disconnected'), DISCONNECTED_GRACE_MS);
    }
  }

  private setState(state: string): void {
    this.state = state;
  }

  /** Failed, or disconnected for long: the impolite side restarts ICE, then the bounds apply. */
  private broken(why: string): void {
    log('peer-broken', { peer: this.remoteId, why });
    if (!this.polite) this.step('ice-restart', () => this.iceRestartOrRebuild(why));
    this.armRepair(!this.polite);
  }

  /**
   * Not connected one bound after the start: the impolite side restarts ICE (or rebuilds when
   * there is nothing to restart), and rebuilds one bound later (at once after its restart when
   * `restarted`). The polite side acts only if the impolite side did not: it rebuilds at three
   * bounds. Any offer from the remote starts the clock again.
   */
  private armRepair(restarted = false): void {
    clearTimeout(this.repairTimer);
    const bound = this.opts.othersConnected() ? REPAIR_BOUND_FAST_MS : REPAIR_BOUND_MS;
    let bounds = restarted ? 1 : 0;
    const tick = () => {
      if (this.closed || this.connected) return;
      bounds += 1;
      if (!this.polite && bounds === 1) {
        this.step('repair', () => this.iceRestartOrRebuild('not connected'));
      } else if ((!this.polite && bounds === 2) || (this.polite && bounds === 3)) {
        log('repair', { peer: this.remoteId, action: 'rebuild' });
        this.step('repair', () => this.rebuild('repair'));
        return; // the new pc arms its own clock
      }
      this.repairTimer = setTimeout(tick, bound);
    };
    this.repairTimer = setTimeout(tick, bound);
  }

  private async iceRestartOrRebuild(why: string): Promise<void> {
    const pc = this.pc;
    if (this.connected) return;
    if (pc?.remoteDescription && pc.signalingState === 'stable') {
      log('repair', { peer: this.remoteId, action: 'ice-restart', why });
      await this.offer(pc, true);
    } else {
      log('repair', { peer: this.remoteId, action: 'rebuild', why });
      await this.rebuild('repair');
    }
  }

  // ---- the mirror ----

  private onTrack(event: RTCTrackEvent): void {
    const { track, receiver } = event;
    // A re-offer announces the same track again.
    if (this.remoteTracks.some((t) => t.track === track)) return;
    const streamId = event.streams[0]?.id ?? receiver.remoteStreamId ?? '';
    const entry: RemoteTrack = { track, streamId, receiver };
    this.remoteTracks.push(entry);
    this.camera = findCamera(this.remoteTracks);
    const pc = this.pc;
    track.onReceiveRtp.subscribe((rtp) => {
      if (pc === this.pc) this.onRtp(entry, rtp);
    });
  }

  private onRtp(from: RemoteTrack, rtp: RtpPacket): void {
    const kind = from.track.kind === 'audio' ? 'audio' : 'video';
    if (kind === 'audio') this.counters.audioIn += 1;
    else this.counters.videoIn += 1;
    if (!this.firstRtp[kind]) {
      this.firstRtp[kind] = true;
      log('first-rtp', { kind, from: this.remoteId, name: this.name });
      if (kind === 'video') this.startKeyframes();
    }
    if (from !== this.camera || rtp.payload.length === 0) return;
    // A new header with only what VP8 needs: the sender sets our SSRC, payload type and its
    // own header extensions (the remote's extension ids and mid mean nothing on our section).
    const { marker, payloadType, sequenceNumber, timestamp, ssrc } = rtp.header;
    const header = new RtpHeader({ marker, payloadType, sequenceNumber, timestamp, ssrc });
    this.media.video.writeRtp(new RtpPacket(header, rtp.payload));
    this.counters.videoOut += 1;
  }

  /** The remote asked us for a keyframe of what we send: only its own camera can make one. */
  private watchSender(sender: RTCRtpSender): void {
    const pc = this.pc;
    sender.onPictureLossIndication.subscribe(() => {
      if (pc === this.pc) this.requestKeyframe();
    });
  }

  private startKeyframes(): void {
    this.requestKeyframe();
    clearInterval(this.keyframeTimer);
    this.keyframeTimer = setInterval(() => this.requestKeyframe(), KEYFRAME_INTERVAL_MS);
  }

  private requestKeyframe(): void {
    const camera = this.camera;
    if (!camera?.track.ssrc || this.closed) return;
    this.counters.keyframeRequests += 1;
    camera.receiver.sendRtcpPLI(camera.track.ssrc).catch(() => undefined);
  }

  private clearTimers(): void {
    clearTimeout(this.repairTimer);
    clearTimeout(this.disconnectedTimer);
    clearInterval(this.keyframeTimer);
  }
}

function newMedia() {
  const stream = new MediaStream();
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  stream.addTrack(audio);
  stream.addTrack(video);
  return { stream, audio, video };
}

/**
 * Engine rule 7: the camera is the video in the stream that also carries audio; a video in a
 * stream of its own is a screen. Without stream ids, the first video.
 */
function findCamera(tracks: readonly RemoteTrack[]): RemoteTrack | undefined {
  const audioStreams = new Set(
    tracks.filter((t) => t.track.kind === 'audio' && t.streamId).map((t) => t.streamId),
  );
  const videos = tracks.filter((t) => t.track.kind === 'video');
  return videos.find((t) => audioStreams.has(t.streamId)) ?? videos[0];
}
