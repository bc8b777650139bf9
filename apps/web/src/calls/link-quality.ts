import { QUALITY_LIMITS } from '@parley/protocol';
import type { LinkOutcome } from '@parley/protocol';
import type { Clock, TimerId } from './clock';
import { pathThroughRelay } from './stats';

/** What one `quality.report` says about one peer link. */
export interface QualityReport {
  outcome: LinkOutcome;
  firstFrameMs?: number;
}

/** A connected link's stats may not name the selected pair at once: asked again this often… */
export const PATH_RETRY_MS = 1_000;
/** …this many times, then the link goes unreported (no guess at its path). */
export const PATH_ATTEMPTS = 5;
/**
 * A link closed (the peer left, or we did) after trying this long without ever
 * connecting counts as `failed`; one closed sooner says nothing (people who leave at
 * once are not a network failure).
 */
export const NEVER_CONNECTED_FAILS_AFTER_MS = 10_000;

export interface LinkQualityOptions {
  clock: Clock;
  getStats: () => Promise<RTCStatsReport>;
  /** Called at most once, with the link's report. */
  report: (report: QualityReport) => void;
}

/**
 * How one peer link came up, for the operators' call-quality numbers (PROTOCOL.md,
 * `quality.report`), reported once: `direct` or `relay` (read from the selected ICE
 * candidate pair when the link first connects) or `failed` (ICE failed again after the
 * ICE restart PeerLink makes on a failure, or the link closed after trying for
 * NEVER_CONNECTED_FAILS_AFTER_MS without ever connecting), with the time from the link's
 * start — our join, or the peer's arrival if later — to its first video frame (the remote
 * video track unmuting). A connected link waits for that frame up to
 * QUALITY_LIMITS.maxFirstFrameMs (a peer with the camera off never sends one), or until
 * the link closes, then reports without it. Which end of a link watches it is the Mesh's
 * choice (one of the two, so each link counts once).
 */
export class LinkQuality {
  private readonly startedAt: number;
  private outcome: LinkOutcome | undefined;
  private firstFrameMs: number | undefined;
  private done = false;
  private reading = false;
  private connected = false;
  private timer: TimerId | undefined;
  /** Take the `unmute` listeners off the remote video tracks still waiting for a frame. */
  private readonly unlisten: (() => void)[] = [];

  constructor(private readonly opts: LinkQualityOptions) {
    this.startedAt = opts.clock.now();
  }

  /** The link's state changed; `iceRestarts`: restarts it made so far. */
  state(state: RTCPeerConnectionState, iceRestarts: number): void {
    if (this.done || this.outcome) return;
    if (state === 'connected') {
      this.connected = true;
      void this.readPath(PATH_ATTEMPTS);
    }
    // The first failure is followed by an ICE restart; failing after one is for good.
    else if (state === 'failed' && iceRestarts >= 1) this.decide('failed');
  }

  /** A remote track arrived: its first video frame is when it unmutes (or now, if it has). */
  track(track: MediaStreamTrack): void {
    if (this.done || track.kind !== 'video' || this.firstFrameMs !== undefined) return;
    if (!track.muted) return this.frame();
    const onUnmute = () => this.frame();
    track.addEventListener('unmute', onUnmute, { once: true });
    this.unlisten.push(() => track.removeEventListener('unmute', onUnmute));
  }

  /**
   * The link is closing: a known outcome goes out now, without a frame that never came; a
   * link that never connected is `failed` if it tried long enough, else unreported.
   */
  close(): void {
    if (this.done) return;
    const tried = this.opts.clock.now() - this.startedAt;
    if (this.outcome) this.send();
    else if (!this.connected && tried >= NEVER_CONNECTED_FAILS_AFTER_MS) this.decide('failed');
    this.stop();
  }

  private frame(): void {
    this.stopListening();
    if (this.done || this.firstFrameMs !== undefined) return;
    const ms = Math.round(this.opts.clock.now() - this.startedAt);
    this.firstFrameMs = Math.min(Math.max(0, ms), QUALITY_LIMITS.maxFirstFrameMs);
    if (this.outcome) this.send();
  }

  private async readPath(attempts: number): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    let relay: boolean | undefined;
    try {
      relay = pathThroughRelay(await this.opts.getStats());
    } catch {
      // A link closing under us rejects getStats; close() deals with it.
    }
    this.reading = false;
    if (this.done || this.outcome) return;
    if (relay !== undefined) return this.decide(relay ? 'relay' : 'direct');
    if (attempts > 1) {
      this.timer = this.opts.clock.setTimeout(() => {
        this.timer = undefined;
        void this.readPath(attempts - 1);
      }, PATH_RETRY_MS);
    }
  }

  private decide(outcome: LinkOutcome): void {
    this.outcome = outcome;
    if (outcome === 'failed' || this.firstFrameMs !== undefined) return this.send();
    const left = QUALITY_LIMITS.maxFirstFrameMs - (this.opts.clock.now() - this.startedAt);
    this.clearTimer();
    this.timer = this.opts.clock.setTimeout(() => this.send(), Math.max(0, left));
  }

  private send(): void {
    if (this.done || !this.outcome) return;
    const outcome = this.outcome;
    const firstFrameMs = outcome === 'failed' ? undefined : this.firstFrameMs;
    this.stop();
    this.opts.report(firstFrameMs === undefined ? { outcome } : { outcome, firstFrameMs });
  }

  private stop(): void {
    this.done = true;
    this.clearTimer();
    this.stopListening();
  }

  private stopListening(): void {
    for (const off of this.unlisten.splice(0)) off();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
