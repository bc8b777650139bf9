import type { SignalPayload } from '@parley/protocol';
import { bitrateForRoomSize } from './bitrate';
import { systemClock } from './clock';
import type { Clock } from './clock';
import { LinkQuality } from './link-quality';
import type { QualityReport } from './link-quality';
import { PeerLink } from './peer';
import type { MediaKind, PeerConnectionCtor } from './peer';
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
}

export interface MeshPeer {
  readonly link: PeerLink;
  quality: Quality;
  stats: LinkStats | undefined;
}

interface Entry extends MeshPeer {
  sampler: StatsSampler;
  watch: LinkQuality | undefined;
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
    return this.peers.get(remoteId);
  }

  ids(): string[] {
    return [...this.peers.keys()];
  }

  /** The link to `remoteId`, opened if needed (undefined before we know our own id). */
  ensure(remoteId: string): MeshPeer | undefined {
    const existing = this.peers.get(remoteId);
    if (existing) return existing;
    if (this.localId === undefined || remoteId === this.localId) return undefined;
    const { local, clock } = this.opts;
    const link = new PeerLink({
      localId: this.localId,
      remoteId,
      send: (payload) => this.opts.send(remoteId, payload),
      configuration: this.configuration,
      audioTrack: local.audioTrack,
      videoTrack: local.videoTrack,
      localStream: local.stream,
      screenTrack: local.screenTrack ?? null,
      screenStream: local.screenStream,
      maxVideoBitrate: bitrateForRoomSize(this.people),
      RTCPeerConnectionImpl: this.opts.RTCPeerConnectionImpl,
      createMediaStream: this.opts.createMediaStream,
      clock,
    });
    const entry: Entry = {
      link,
      quality: 'unknown',
      stats: undefined,
      sampler: new StatsSampler({
        getStats: () => link.getStats(),
        onSample: (stats) => {
          entry.stats = stats;
          entry.quality = stats.quality;
          this.opts.onChange();
        },
        intervalMs: this.opts.statsIntervalMs,
        clock,
      }),
      watch: undefined,
    };
    // Both ends see the same link; only one reports it, so the numbers count links, not
    // link ends: the polite end, by the id order both already agree on (isPolite).
    const { reportQuality } = this.opts;
    if (reportQuality && link.polite) {
      const watch = new LinkQuality({
        clock: clock ?? systemClock,
        getStats: () => link.getStats(),
        report: reportQuality,
      });
      entry.watch = watch;
      link.on('state', (state) => watch.state(state, link.counters.iceRestarts));
      link.on('track', (track) => watch.track(track));
    }
    link.on('state', () => this.opts.onChange());
    link.on('track', () => this.opts.onChange());
    link.on('error', (error, during) => this.opts.onError(error, `peer ${remoteId}: ${during}`));
    this.peers.set(remoteId, entry);
    entry.sampler.start();
    this.opts.onChange();
    return entry;
  }

  /** An inbound `signal`; the link is opened if the offer arrives before the roster says so. */
  route(from: string, payload: SignalPayload): void {
    const entry = this.ensure(from);
    if (entry) void entry.link.handleSignal(payload);
  }

  close(remoteId: string): void {
    const entry = this.peers.get(remoteId);
    if (!entry) return;
    this.peers.delete(remoteId);
    entry.watch?.close();
    entry.sampler.stop();
    entry.link.close();
    this.opts.onChange();
  }

  /** Closes every link whose remote is not in `keep`. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const id of this.ids()) if (!keep.has(id)) this.close(id);
  }

  closeAll(): void {
    for (const id of this.ids()) this.close(id);
  }

  /** Room size including us; sets every link's video ceiling. */
  setRoomSize(people: number): void {
    if (people === this.people) return;
    this.people = people;
    const bps = bitrateForRoomSize(people);
    for (const entry of this.peers.values()) void entry.link.setMaxVideoBitrate(bps);
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
