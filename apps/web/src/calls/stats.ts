import { systemClock } from './clock';
import type { Clock, TimerId } from './clock';

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

/** The few numbers we keep from one `getStats()` report. */
export interface StatsSnapshot {
  /** When it was taken (ms, the sampler's clock). */
  at: number;
  /** Round-trip time of the selected ICE candidate pair, if known. */
  rttMs: number | undefined;
  /** Totals over every inbound-rtp stream (audio and video) since the connection began. */
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  /** Total over every outbound-rtp stream. */
  bytesSent: number;
  /**
   * The sender's bandwidth estimate for the whole link (audio, camera and screen), bits/s:
   * the selected candidate pair's `availableOutgoingBitrate`. Undefined before a pair is
   * selected and in browsers that do not report it (Firefox).
   */
  availableOutgoingBitrate: number | undefined;
  /** Each video we send, in section order (see outboundVideoOf). */
  outboundVideo: OutboundVideo[];
}

/** Why the browser sends less than asked (W3C `qualityLimitationReason`). */
export type QualityLimitation = 'none' | 'cpu' | 'bandwidth' | 'other';

/** What one outbound video stream reports; fields a browser leaves out are undefined. */
export interface OutboundVideo {
  mid: string | undefined;
  frameHeight: number | undefined;
  framesPerSecond: number | undefined;
  qualityLimitationReason: QualityLimitation | undefined;
}

/** What changed between two snapshots, and the verdict. */
export interface LinkStats {
  quality: Quality;
  rttMs: number | undefined;
  /** Share of inbound packets lost in the interval, 0..1; undefined with too few packets. */
  loss: number | undefined;
  inboundBps: number | undefined;
  outboundBps: number | undefined;
  /** The latest snapshot's bandwidth estimate (bits/s), see StatsSnapshot. */
  availableOutgoingBitrate: number | undefined;
  /** The latest snapshot's outbound videos: the camera first, then the screen. */
  outboundVideo: OutboundVideo[];
}

/**
 * Thresholds, worst first. 250/500 ms RTT: conversation starts to feel laggy around
 * 300 ms round trip (ITU-T G.114's 150 ms one way) and breaks down past ~500 ms.
 * 3%/10% loss: Opus and VP8 conceal a few percent; beyond ~10% audio drops syllables
 * and video freezes.
 */
export const QUALITY_THRESHOLDS = {
  poor: { rttMs: 500, loss: 0.1 },
  fair: { rttMs: 250, loss: 0.03 },
} as const;

/** Fewer packets than this in an interval make the loss ratio noise, so it is not judged. */
export const MIN_PACKETS_FOR_LOSS = 20;

type Stat = Record<string, unknown>;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function statsById(report: RTCStatsReport): Map<string, Stat> {
  const byId = new Map<string, Stat>();
  report.forEach((value: Stat, key: string) => byId.set(key, value));
  return byId;
}

/** The ICE candidate pair in use: the transport names it (Chrome, Safari); Firefox marks it `selected`. */
function selectedPair(byId: Map<string, Stat>): Stat | undefined {
  const all = [...byId.values()];
  let pair: Stat | undefined;
  for (const s of all) {
    if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
    pair = byId.get(s.selectedCandidatePairId);
  }
  return (
    pair ??
    all.find(
      (s) =>
        s.type === 'candidate-pair' &&
        (s.selected === true || (s.nominated === true && s.state === 'succeeded')),
    )
  );
}

/**
 * Whether the link's media runs through a TURN relay: either end of the selected pair is
 * a `relay` candidate (ours, or the peer's relay as we see it). Undefined while the stats
 * name no pair (or its candidates) yet.
 */
export function pathThroughRelay(report: RTCStatsReport): boolean | undefined {
  const byId = statsById(report);
  const pair = selectedPair(byId);
  const end = (id: unknown) => (typeof id === 'string' ? byId.get(id) : undefined);
  const local = end(pair?.localCandidateId);
  const remote = end(pair?.remoteCandidateId);
  if (!local || !remote) return undefined;
  return local.candidateType === 'relay' || remote.candidateType === 'relay';
}

const LIMITATIONS: readonly string[] = ['none', 'cpu', 'bandwidth', 'other'];

/**
 * The outbound video streams in section order. The camera goes in a link's first video
 * section and the screen in a later one (PROTOCOL.md), and browsers number mids 0, 1, 2…
 * in section order, so numeric mids sort the camera first; streams without a numeric mid
 * (older browsers, other stacks) follow in report order.
 */
function outboundVideoOf(all: Stat[]): OutboundVideo[] {
  const videos = all.filter(
    (s) => s.type === 'outbound-rtp' && (s.kind ?? s.mediaType) === 'video',
  );
  // Sections without a numeric mid sort after every numbered one; sort() is stable, so
  // they keep report order among themselves.
  const key = (s: Stat) =>
    typeof s.mid === 'string' && /^\d+$/.test(s.mid) ? Number(s.mid) : Number.MAX_SAFE_INTEGER;
  return videos
    .sort((a, b) => key(a) - key(b))
    .map((s) => ({
      mid: typeof s.mid === 'string' ? s.mid : undefined,
      frameHeight: num(s.frameHeight),
      framesPerSecond: num(s.framesPerSecond),
      qualityLimitationReason:
        typeof s.qualityLimitationReason === 'string' &&
        LIMITATIONS.includes(s.qualityLimitationReason)
          ? (s.qualityLimitationReason as QualityLimitation)
          : undefined,
    }));
}

export function snapshotFromReport(report: RTCStatsReport, at: number): StatsSnapshot {
  const byId = statsById(report);
  const all = [...byId.values()];
  const pair = selectedPair(byId);
  let rttSeconds = num(pair?.currentRoundTripTime);
  if (rttSeconds === undefined) {
    // No ICE RTT yet: RTCP's view of it from the remote-inbound reports will do.
    rttSeconds = all
      .filter((s) => s.type === 'remote-inbound-rtp')
      .map((s) => num(s.roundTripTime))
      .find((v) => v !== undefined);
  }

  const snapshot: StatsSnapshot = {
    at,
    rttMs: rttSeconds === undefined ? undefined : rttSeconds * 1000,
    packetsReceived: 0,
    packetsLost: 0,
    bytesReceived: 0,
    bytesSent: 0,
    availableOutgoingBitrate: num(pair?.availableOutgoingBitrate),
    outboundVideo: outboundVideoOf(all),
  };
  for (const s of all) {
    if (s.type === 'inbound-rtp') {
      snapshot.packetsReceived += num(s.packetsReceived) ?? 0;
      snapshot.packetsLost += num(s.packetsLost) ?? 0;
      snapshot.bytesReceived += num(s.bytesReceived) ?? 0;
    } else if (s.type === 'outbound-rtp') {
      snapshot.bytesSent += num(s.bytesSent) ?? 0;
    }
  }
  return snapshot;
}

/** Pure: the rates over the interval between two snapshots and the quality they mean. */
export function linkStats(prev: StatsSnapshot | undefined, curr: StatsSnapshot): LinkStats {
  if (!prev || curr.at <= prev.at) {
    return {
      quality: 'unknown',
      rttMs: curr.rttMs,
      loss: undefined,
      inboundBps: undefined,
      outboundBps: undefined,
      availableOutgoingBitrate: curr.availableOutgoingBitrate,
      outboundVideo: curr.outboundVideo,
    };
  }
  const seconds = (curr.at - prev.at) / 1000;
  const received = Math.max(0, curr.packetsReceived - prev.packetsReceived);
  // packetsLost can go down (late packets arriving after being counted lost).
  const lost = Math.max(0, curr.packetsLost - prev.packetsLost);
  const total = received + lost;
  const loss = total >= MIN_PACKETS_FOR_LOSS ? lost / total : undefined;
  const rate = (now: number, before: number) => (Math.max(0, now - before) * 8) / seconds;
  return {
    quality: qualityOf({ rttMs: curr.rttMs, loss }),
    rttMs: curr.rttMs,
    loss,
    inboundBps: rate(curr.bytesReceived, prev.bytesReceived),
    outboundBps: rate(curr.bytesSent, prev.bytesSent),
    availableOutgoingBitrate: curr.availableOutgoingBitrate,
    outboundVideo: curr.outboundVideo,
  };
}

/** The worse of the RTT and loss verdicts; `unknown` when neither can be judged. */
export function qualityOf(m: { rttMs: number | undefined; loss: number | undefined }): Quality {
  if (m.rttMs === undefined && m.loss === undefined) return 'unknown';
  const { poor, fair } = QUALITY_THRESHOLDS;
  const rtt = m.rttMs ?? 0;
  const loss = m.loss ?? 0;
  if (rtt >= poor.rttMs || loss >= poor.loss) return 'poor';
  if (rtt >= fair.rttMs || loss >= fair.loss) return 'fair';
  return 'good';
}

export const STATS_INTERVAL_MS = 2_000;

export interface StatsSamplerOptions {
  getStats: () => Promise<RTCStatsReport>;
  onSample: (stats: LinkStats) => void;
  intervalMs?: number;
  clock?: Clock;
}

/**
 * Polls one peer connection's stats. The next poll is scheduled after the previous one
 * finished, so a slow getStats() never piles up.
 */
export class StatsSampler {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private timer: TimerId | undefined;
  private previous: StatsSnapshot | undefined;
  private running = false;

  constructor(private readonly opts: StatsSamplerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.intervalMs = opts.intervalMs ?? STATS_INTERVAL_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.poll();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    try {
      const report = await this.opts.getStats();
      if (!this.running) return;
      const snapshot = snapshotFromReport(report, this.clock.now());
      const stats = linkStats(this.previous, snapshot);
      this.previous = snapshot;
      this.opts.onSample(stats);
    } catch {
      // A closed connection rejects getStats; the owner stops us when it closes the link.
    }
    if (this.running) this.timer = this.clock.setTimeout(() => void this.poll(), this.intervalMs);
  }
}
