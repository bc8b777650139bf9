import { bitrateForRoomSize } from './bitrate';
import type { LinkStats } from './stats';

/** What one video sender is told: its encoding's `maxBitrate` and `scaleResolutionDownBy`. */
export interface VideoLimits {
  maxBitrate: number;
  scaleResolutionDownBy: number;
}

/** Resolution steps: full, half and quarter width and height of the capture. */
export type ResolutionScale = 1 | 2 | 4;

export interface SendTuning {
  headroom: number;
  floorBps: number;
  steps: readonly { scale: ResolutionScale; minBps: number }[];
  upMargin: number;
  band: number;
  downSamples: number;
  bitrateUpSamples: number;
  resolutionUpSamples: number;
  warmupSamples: number;
}

/**
 * The chosen numbers (docs/ARCHITECTURE.md has the table). The camera is captured at
 * 1280×720 (media.ts) and sent as VP8 at up to 30 fps.
 */
export const SEND_LIMITS: Readonly<SendTuning> = {
  /**
   * Share of the estimate the camera may take. The estimate covers the whole link; the
   * other 15% carries Opus (~40 kbps with packet overhead, which 15% covers from ~270 kbps
   * up), RTCP and retransmissions, and keeps the send queue short.
   */
  headroom: 0.85,
  /**
   * Never cap the camera below this: quarter resolution's target in libwebrtc's own
   * layer table. Under it the browser's congestion control, not our cap, decides anyway.
   */
  floorBps: 150_000,
  /**
   * The lowest bitrate for each step, finest first. 600 kbps is libwebrtc's minimum for a
   * 720p layer; under it VP8 720p30 turns blocky and half resolution looks better. 360p
   * holds up down to ~250 kbps (libwebrtc: min 150, target 500); below that 180p (target 150,
   * max 200) spends the bits better.
   */
  steps: [
    { scale: 1, minBps: 600_000 },
    { scale: 2, minBps: 250_000 },
    { scale: 4, minBps: 0 },
  ],
  /** Stepping back up needs the threshold plus 20% (720 / 300 kbps), so noise cannot flap. */
  upMargin: 0.2,
  /** The cap moves only for an estimate more than 10% away from it. */
  band: 0.1,
  /** Consecutive measured samples (2 s apart) before stepping down: one dip is noise. */
  downSamples: 2,
  /**
   * Before raising the cap. Short, because the estimate of a capped sender only grows to
   * about 1.5× what it is sending, so recovery goes in steps of ~30%.
   */
  bitrateUpSamples: 2,
  /** Before a finer resolution: a resolution change is visible, so it waits 8 s. */
  resolutionUpSamples: 4,
  /**
   * Estimates ignored after a connection starts: the sender's estimator begins at about
   * 300 kbps and probes upwards during the first seconds.
   */
  warmupSamples: 2,
};

/** The resolution step for a bitrate; with `margin`, each threshold is raised by that share. */
export function scaleForBitrate(
  bps: number,
  margin = 0,
  tuning: SendTuning = SEND_LIMITS,
): ResolutionScale {
  for (const step of tuning.steps) {
    if (bps >= step.minBps * (1 + margin)) return step.scale;
  }
  return 4;
}

/** The camera's limits from the room size alone: what a link starts with and what Firefox keeps. */
export function cameraLimitsForRoom(people: number, tuning: SendTuning = SEND_LIMITS): VideoLimits {
  const maxBitrate = Math.max(tuning.floorBps, bitrateForRoomSize(people));
  return { maxBitrate, scaleResolutionDownBy: scaleForBitrate(maxBitrate, 0, tuning) };
}

/**
 * A shared screen: bitrate by room size, like the camera, and never scaled down, because
 * text read at half resolution is unreadable; under a short estimate the browser should
 * drop frames instead (the track's contentHint `detail` asks Chrome for that). The
 * measurement lowers neither it nor the camera's share for it: a static screen sends
 * little, and the estimate only grows to ~1.5× what is sent, so reserving the screen's
 * ceiling would push the camera to the floor on a good line. The browser's allocator
 * splits a short estimate between the two.
 */
export function screenLimits(people: number): VideoLimits {
  return { maxBitrate: bitrateForRoomSize(people), scaleResolutionDownBy: 1 };
}

/** A run of consecutive samples pointing the same way, and the values seen in it. */
interface Run {
  count: number;
  values: number[];
}

const emptyRun = (): Run => ({ count: 0, values: [] });

function extend(run: Run, value: number): Run {
  return { count: run.count + 1, values: [...run.values, value] };
}

/**
 * The camera's limits on one link: the room-size ceiling, lowered to a share of the
 * link's measured bandwidth (`availableOutgoingBitrate`), and the resolution step that
 * suits the result. The room size applies at once (a fact); the measurement through
 * hysteresis (it is noisy). No timers: the owner feeds it each stats sample.
 *
 * State: `measured` is the accepted bandwidth cap (undefined while the measurement does
 * not constrain us) and `measuredScale` the resolution step the measurement allows. The
 * output is the stricter of the room's and the measurement's values.
 */
export class SendLimiter {
  private people: number;
  private measured: number | undefined;
  private measuredScale: ResolutionScale = 1;
  private samplesSeen = 0;
  private bitrateDown = emptyRun();
  private bitrateUp = emptyRun();
  private scaleDown = emptyRun();
  private scaleUp = emptyRun();
  private current: VideoLimits;

  private readonly tuning: SendTuning;

  /** `people`: the room size including us (2 when left out). */
  constructor(opts: { people?: number; tuning?: SendTuning } = {}) {
    this.people = opts.people ?? 2;
    this.tuning = opts.tuning ?? SEND_LIMITS;
    this.current = this.compute();
  }

  /** What the camera should be sending under now. */
  get limits(): VideoLimits {
    return { ...this.current };
  }

  /** Room size including us. Returns the new limits if they changed. */
  setPeople(people: number): VideoLimits | undefined {
    if (people === this.people) return undefined;
    this.people = people;
    // The runs were judged against the old ceiling.
    this.resetRuns();
    return this.publish();
  }

  /**
   * The link's peer connection was replaced: its estimator starts over, so the old
   * measurement no longer applies and the new one needs its warm-up.
   */
  restart(): VideoLimits | undefined {
    this.measured = undefined;
    this.measuredScale = 1;
    this.samplesSeen = 0;
    this.resetRuns();
    return this.publish();
  }

  /**
   * One stats sample. A sample without an estimate (Firefox, not connected yet) leaves
   * the measured part alone and neither extends nor breaks a run. Returns the new limits
   * if they changed.
   */
  update(sample: Pick<LinkStats, 'availableOutgoingBitrate'>): VideoLimits | undefined {
    const estimate = sample.availableOutgoingBitrate;
    if (estimate === undefined || estimate < 0) return undefined;
    this.samplesSeen += 1;
    if (this.samplesSeen <= this.tuning.warmupSamples) return undefined;
    const share = Math.max(this.tuning.floorBps, estimate * this.tuning.headroom);
    this.judgeBitrate(share);
    this.judgeScale(share);
    return this.publish();
  }

  private judgeBitrate(share: number): void {
    const { band, downSamples, bitrateUpSamples } = this.tuning;
    const ceiling = bitrateForRoomSize(this.people);
    const cap = this.current.maxBitrate;
    // Judged as it would apply: an estimate above the room's ceiling is not "higher".
    const wanted = Math.max(this.tuning.floorBps, Math.min(ceiling, share));
    if (wanted < cap * (1 - band)) {
      this.bitrateUp = emptyRun();
      this.bitrateDown = extend(this.bitrateDown, share);
      if (this.bitrateDown.count >= downSamples) {
        // The mildest value of the run: every sample in it allowed at least that much.
        this.measured = Math.max(...this.bitrateDown.values);
        this.bitrateDown = emptyRun();
      }
    } else if (this.measured !== undefined && share > this.measured * (1 + band)) {
      this.bitrateDown = emptyRun();
      this.bitrateUp = extend(this.bitrateUp, share);
      if (this.bitrateUp.count >= bitrateUpSamples) {
        // The most cautious value of the run; at or over the ceiling the measurement no
        // longer constrains, so only the room size does.
        const lowest = Math.min(...this.bitrateUp.values);
        this.measured = lowest >= ceiling ? undefined : lowest;
        this.bitrateUp = emptyRun();
      }
    } else {
      this.bitrateDown = emptyRun();
      this.bitrateUp = emptyRun();
    }
  }

  private judgeScale(share: number): void {
    const { upMargin, downSamples, resolutionUpSamples } = this.tuning;
    const down = scaleForBitrate(share, 0, this.tuning);
    const up = scaleForBitrate(share, upMargin, this.tuning);
    if (down > this.measuredScale) {
      this.scaleUp = emptyRun();
      this.scaleDown = extend(this.scaleDown, down);
      if (this.scaleDown.count >= downSamples) {
        this.measuredScale = Math.min(...this.scaleDown.values) as ResolutionScale;
        this.scaleDown = emptyRun();
      }
    } else if (up < this.measuredScale) {
      this.scaleDown = emptyRun();
      this.scaleUp = extend(this.scaleUp, up);
      if (this.scaleUp.count >= resolutionUpSamples) {
        this.measuredScale = Math.max(...this.scaleUp.values) as ResolutionScale;
        this.scaleUp = emptyRun();
      }
    } else {
      this.scaleDown = emptyRun();
      this.scaleUp = emptyRun();
    }
  }

  private compute(): VideoLimits {
    const room = cameraLimitsForRoom(this.people, this.tuning);
    const maxBitrate = Math.max(
      this.tuning.floorBps,
      Math.min(room.maxBitrate, this.measured ?? Number.POSITIVE_INFINITY),
    );
    return {
      maxBitrate: Math.round(maxBitrate),
      scaleResolutionDownBy: Math.max(room.scaleResolutionDownBy, this.measuredScale),
    };
  }

  private publish(): VideoLimits | undefined {
    const next = this.compute();
    const { maxBitrate, scaleResolutionDownBy } = this.current;
    if (next.maxBitrate === maxBitrate && next.scaleResolutionDownBy === scaleResolutionDownBy) {
      return undefined;
    }
    this.current = next;
    return { ...next };
  }

  private resetRuns(): void {
    this.bitrateDown = emptyRun();
    this.bitrateUp = emptyRun();
    this.scaleDown = emptyRun();
    this.scaleUp = emptyRun();
  }
}
