import type { CallSession, Clock, LocalMedia, TimerId } from '../calls';
import { SpeakingTracker } from '../components/call/speaking';
import { meetingTime } from './derive';
import { SELF } from './types';

/** How often the meeting clock and the speaking ring are read. */
export const TIMER_TICK_MS = 1_000;
export const SPEAKING_SAMPLE_MS = 200;

/**
 * What changes with time alone while in the call: the meeting clock (the server's start
 * time, the same for everyone) and who is speaking (RTP audio levels of the others, the
 * local meter for me). Calls onChange only when what it shows changed.
 */
export class CallTicker {
  timer = '00:00';
  speaking: ReadonlySet<string> = new Set();
  private readonly tracker = new SpeakingTracker();
  private intervals: TimerId[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly onChange: () => void,
  ) {}

  start(call: CallSession, media: LocalMedia, remoteIds: () => Iterable<string>): void {
    this.tick(call);
    if (this.intervals.length > 0) return;
    this.intervals = [
      this.clock.setInterval(() => this.tick(call), TIMER_TICK_MS),
      this.clock.setInterval(() => this.sample(call, media, remoteIds()), SPEAKING_SAMPLE_MS),
    ];
  }

  stop(): void {
    for (const id of this.intervals.splice(0)) this.clock.clearInterval(id);
  }

  private tick(call: CallSession): void {
    const next = meetingTime(call.meetingStartedAt, call.serverNow());
    if (next === this.timer) return;
    this.timer = next;
    this.onChange();
  }

  private sample(call: CallSession, media: LocalMedia, remoteIds: Iterable<string>): void {
    const now = this.clock.now();
    const next = new Set<string>();
    const ids = new Set<string>([SELF]);
    for (const id of remoteIds) {
      ids.add(id);
      if (this.tracker.sample(id, call.audioLevel(id), now)) next.add(id);
    }
    if (media.micEnabled && media.hasMic && this.tracker.sample(SELF, call.micLevel(), now)) {
      next.add(SELF);
    }
    this.tracker.retain(ids);
    const before = this.speaking;
    if (next.size === before.size && [...next].every((id) => before.has(id))) return;
    this.speaking = next;
    this.onChange();
  }
}
