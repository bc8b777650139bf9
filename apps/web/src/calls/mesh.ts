import type { SignalPayload } from '@parley/protocol';
import { systemClock } from './clock';
import type { Clock } from './clock';
import { LinkQuality } from './link-quality';
import type { QualityReport } from './link-quality';
import { PeerLink } from './peer';
import type { LinkRole, MediaKind, PeerConnectionCtor } from './peer';
import { LinkRepair, REPAIR_BOUND_FAST_MS, REPAIR_BOUND_MS } from './repair';
import type { LinkHealth } from './repair';
import { SendLimiter, screenLimits } from './send-limits';
import { StatsSampler } from './stats';
import type { LinkStats, Quality } from './stats';

/** What the mesh reads from local media when it opens a link. */
export interface LocalTracks {
  readonly audioTrack: MediaStreamTrack | null;
  readonly videoTrack: MediaStreamTrack | null;
  /** Camera (or placeholder) and mic: the remote finds our camera in the stream with audio. */
  readonly stream: MediaStream;
  /** The screen being shared (null when not) and the stream of its own it goes in. */
  readonly screenTrack?: MediaStreamTrack | null;
  readonly screenStream?: MediaStream;
}

export interface MeshOptions {
  local: LocalTracks;
  /** Sends one negotiation message to a remote connection. */
  send: (to: string, payload: SignalPayload) => void;
  configuration: RTCConfiguration;
  RTCPeerConnectionImpl?: PeerConnectionCtor;
  createMediaStream?: () => MediaStream;
  clock?: Clock;
  statsIntervalMs?: number;
  onChange: () => void;
  onError: (error: unknown, context: string) => void;
  /**
   * Each link's `quality.report`, once (see LinkQuality), from the polite end only; left
   * out, nothing is watched.
   */
  reportQuality?: (report: QualityReport) => void;
  /** How long a link may take to connect before it is repaired (REPAIR_BOUND_MS). */
  repairBoundMs?: number;
  /** The same while another of our links is connected (REPAIR_BOUND_FAST_MS). */
  repairBoundFastMs?: number;
}

export interface MeshPeer {
  readonly link: PeerLink;
  quality: Quality;
  stats: LinkStats | undefined;
  /** Whether the link connected, or is being repaired and how (see LinkRepair). */
  readonly health: LinkHealth;
  /** How many times this link's RTCPeerConnection was replaced by a new one. */
  readonly rebuilds: number;
}

interface Entry {
  link: PeerLink;
  quality: Quality;
  stats: LinkStats | undefined;
  rebuilds: number;
  /** The camera's bit rate and resolution for this link (room size, measured bandwidth). */
  limiter: SendLimiter;
  sampler: StatsSampler;
  watch: LinkQuality | undefined;
  repair: LinkRepair;
}

/** What a replaced link hands to its successor. */
interface Carry {
  rebuilds: number;
  repairs: number;
}

/**
 * The set of PeerLinks of one call, keyed by remote connection id: opens and closes
 * them, routes inbound signals, applies track changes and the bitrate cap to all, and
 * samples each one's stats.
 */
export class Mesh {
  private readonly peers = new Map<string, Entry>();
  private localId: string | undefined;
  private people = 1;
  private configuration: RTCConfiguration;

  constructor(private readonly opts: MeshOptions) {
    this.configuration = opts.configuration;
  }

  /**
   * Our connection id. Links negotiated under an earlier one are dead (the others closed
   * their side when that connection left), so they are closed here.
   */
  setLocalId(id: string): void {
    this.localId = id;
    for (const [remoteId, entry] of this.peers) {
      if (entry.link.localId !== id) this.close(remoteId);
    }
  }

  get(remoteId: string): MeshPeer | undefined {
    const entry = this.peers.get(remoteId);
    if (!entry) return undefined;
    return {
      link: entry.link,
      quality: entry.quality,
      stats: entry.stats,
      health: entry.repair.health,
      rebuilds: entry.rebuilds,
    };
  }

  ids(): string[] {
    return [...this.peers.keys()];
  }

  /**
   * The link to `remoteId`, opened if needed (undefined before we know our own id). We open
   * as the offerer when we are the newcomer (everyone in our `room.joined`); see expect().
   */
  ensure(remoteId: string, role: LinkRole = 'offerer'): MeshPeer | undefined {
    if (!this.peers.has(remoteId)) {
      if (this.localId === undefined || remoteId === this.localId) return undefined;
      this.open(remoteId, role, { rebuilds: 0, repairs: 0 });
    }
    return this.get(remoteId);
  }

  /**
   * Someone joined after us: they offer, we answer. The link exists (and is watched) from
   * now, so a lost offer is repaired like any link that does not connect.
   */
  expect(remoteId: string): MeshPeer | undefined {
    return this.ensure(remoteId, 'answerer');
  }

  /**
   * An inbound `signal`. A link opened by it answers (the sender is the offerer); an offer
   * from a new RTCPeerConnection of theirs (a rebuilt link) replaces ours with a fresh one.
   */
  route(from: string, payload: SignalPayload): void {
    const existing = this.peers.get(from);
    const d = payload.description;
    // A polite offerer whose offer was never answered (lost, or both sides offered at once)
    // gives way to a fresh answerer link: the link ends with one set of sections, not two.
    const unanswered =
      existing?.link.polite === true &&
      existing.link.role === 'offerer' &&
      existing.link.pc.remoteDescription === null &&
      d?.type === 'offer';
    if (existing && d && (existing.link.isNewSession(d) || unanswered)) {
      this.rebuild(from, 'answerer');
    }
    if (!this.ensure(from, 'answerer')) return;
    void this.peers.get(from)?.link.handleSignal(payload);
  }

  private open(remoteId: string, role: LinkRole, carry: Carry): void {
    const localId = this.localId;
    if (localId === undefined) return;
    const { local, clock = systemClock } = this.opts;
    const limiter = new SendLimiter({ people: this.people });
    const link = new PeerLink({
      localId,
      remoteId,
      role,
      send: (payload) => this.opts.send(remoteId, payload),
      configuration: this.configuration,
      audioTrack: local.audioTrack,
      videoTrack: local.videoTrack,
      localStream: local.stream,
      screenTrack: local.screenTrack ?? null,
      screenStream: local.screenStream,
      cameraLimits: limiter.limits,
      screenLimits: screenLimits(this.people),
      RTCPeerConnectionImpl: this.opts.RTCPeerConnectionImpl,
      createMediaStream: this.opts.createMediaStream,
      clock,
    });
    const entry: Entry = {
      link,
      quality: 'unknown',
      stats: undefined,
      rebuilds: carry.rebuilds,
      limiter,
      sampler: new StatsSampler({
        getStats: () => link.getStats(),
        onSample: (stats) => {
          entry.stats = stats;
          entry.quality = stats.quality;
          const camera = limiter.update(stats);
          if (camera) void link.setVideoLimits(camera);
          this.opts.onChange();
        },
        intervalMs: this.opts.statsIntervalMs,
        clock,
      }),
      watch: undefined,
      repair: new LinkRepair({
        clock,
        polite: link.polite,
        repairs: carry.repairs,
        boundMs: () => this.repairBound(remoteId),
        canRestartIce: () =>
          link.pc.signalingState === 'stable' && link.pc.remoteDescription !== null,
        restartIce: () => link.restartIce(),
        rebuild: () => this.rebuild(remoteId, 'offerer'),
        onChange: () => this.opts.onChange(),
      }),
    };
    // Both ends see the same link; only one reports it, so the numbers count links, not
    // link ends: the polite end, by the id order both already agree on (isPolite).
    const { reportQuality } = this.opts;
    if (reportQuality && link.polite) {
      const watch = new LinkQuality({
        clock,
        getStats: () => link.getStats(),
        report: reportQuality,
      });
      entry.watch = watch;
      link.on('state', (state) => watch.state(state, link.counters.iceRestarts));
      link.on('track', (track) => watch.track(track));
    }
    link.on('state', (state) => {
      entry.repair.state(state);
      // Stats say nothing before the link is up; sampling them while it negotiates only put
      // a getStats and a page update between the join and the offer or answer.
      if (state === 'connected') entry.sampler.start();
      this.opts.onChange();
    });
    link.on('track', () => this.opts.onChange());
    link.on('error', (error, during) => this.opts.onError(error, `peer ${remoteId}: ${during}`));
    this.peers.set(remoteId, entry);
    this.opts.onChange();
  }

  /** Replaces the link to `remoteId` with a new RTCPeerConnection (LinkRepair, route). */
  private rebuild(remoteId: string, role: LinkRole): void {
    const old = this.peers.get(remoteId);
    if (!old) return;
    const carry = { rebuilds: old.rebuilds + 1, repairs: old.repair.health.repairs };
    this.dispose(remoteId, old);
    this.open(remoteId, role, carry);
  }

  /** The repair bound for one link: shorter when another link of ours is connected. */
  private repairBound(remoteId: string): number {
    const otherUp = [...this.peers].some(
      ([id, e]) => id !== remoteId && e.link.connectionState === 'connected',
    );
    return otherUp
      ? (this.opts.repairBoundFastMs ?? REPAIR_BOUND_FAST_MS)
      : (this.opts.repairBoundMs ?? REPAIR_BOUND_MS);
  }

  close(remoteId: string): void {
    const entry = this.peers.get(remoteId);
    if (!entry) return;
    this.dispose(remoteId, entry);
    this.opts.onChange();
  }

  private dispose(remoteId: string, entry: Entry): void {
    this.peers.delete(remoteId);
    entry.repair.close();
    entry.watch?.close();
    entry.sampler.stop();
    entry.link.close();
  }

  /** Settles once every open link's first offer is out (see PeerLink.offered). */
  async offersSent(): Promise<void> {
    await Promise.all([...this.peers.values()].map((e) => e.link.offered));
  }

  /** Closes every link whose remote is not in `keep`. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const id of this.ids()) if (!keep.has(id)) this.close(id);
  }

  closeAll(): void {
    for (const id of this.ids()) this.close(id);
  }

  /** Room size including us; sets every link's video limits. */
  setRoomSize(people: number): void {
    if (people === this.people) return;
    this.people = people;
    // The screen's ceiling may change when the camera's does not: always pass both.
    const screen = screenLimits(people);
    for (const entry of this.peers.values()) {
      const camera = entry.limiter.setPeople(people) ?? entry.limiter.limits;
      void entry.link.setVideoLimits(camera, screen);
    }
  }

  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    for (const entry of this.peers.values()) void entry.link.replaceTrack(kind, track);
  }

  /** Starts (a track) or stops (null) sending our screen on every link (PeerLink.setScreen). */
  setScreen(track: MediaStreamTrack | null, stream: MediaStream | undefined): void {
    for (const entry of this.peers.values()) void entry.link.setScreen(track, stream);
  }

  /** New ICE servers (e.g. refreshed TURN credentials) for current and future links. */
  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
    for (const entry of this.peers.values()) {
      try {
        entry.link.pc.setConfiguration(configuration);
      } catch (error) {
        this.opts.onError(error, `peer ${entry.link.remoteId}: setConfiguration`);
      }
    }
  }
}
