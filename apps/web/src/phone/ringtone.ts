import { systemClock } from '../calls/clock';
import type { Clock, TimerId } from '../calls/clock';
import type { Ringer } from './ports';

/** One tone of a pattern: frequencies played together from `at` for `length` seconds. */
interface Tone {
  at: number;
  length: number;
  frequencies: readonly number[];
}

/**
 * - `ring`: the incoming call, two short bright trills every 3 s.
 * - `ringback`: what the caller hears while it rings at the other end (440 + 480 Hz, 2 s on, 4 s off).
 */
export const RING_PATTERNS = {
  ring: {
    periodMs: 3_000,
    gain: 0.16,
    tones: [
      { at: 0, length: 0.35, frequencies: [880, 1046.5] },
      { at: 0.45, length: 0.35, frequencies: [880, 1046.5] },
    ],
  },
  ringback: {
    periodMs: 6_000,
    gain: 0.06,
    tones: [{ at: 0, length: 2, frequencies: [440, 480] }],
  },
} as const satisfies Record<string, { periodMs: number; gain: number; tones: readonly Tone[] }>;

export type RingPattern = keyof typeof RING_PATTERNS;

export interface RingtoneOptions {
  pattern?: RingPattern;
  /** Undefined where there is no Web Audio. */
  createContext?: () => AudioContext | undefined;
  clock?: Clock;
}

/**
 * A ringtone made with Web Audio (no audio file to ship): each period schedules its tones on
 * fresh oscillators. `stop()` clears the timer and closes the context, which silences every
 * oscillator at once, so no tone outlives the ringing. A browser that holds the context
 * suspended (no user gesture yet) stays silent; `unlock()` from a gesture resumes it.
 */
export class Ringtone implements Ringer {
  private ctx: AudioContext | undefined;
  private timer: TimerId | undefined;
  private readonly clock: Clock;
  private readonly createContext: () => AudioContext | undefined;
  private readonly pattern: (typeof RING_PATTERNS)[RingPattern];

  constructor(opts: RingtoneOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.createContext = opts.createContext ?? defaultContext;
    this.pattern = RING_PATTERNS[opts.pattern ?? 'ring'];
  }

  get playing(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer !== undefined) return;
    try {
      this.ctx = this.createContext();
    } catch {
      this.ctx = undefined;
    }
    // The timer runs even without sound: `playing` says what the phone asked for.
    this.timer = this.clock.setInterval(() => this.burst(), this.pattern.periodMs);
    this.burst();
    this.unlock();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearInterval(this.timer);
    this.timer = undefined;
    const ctx = this.ctx;
    this.ctx = undefined;
    if (ctx) void ctx.close().catch(() => undefined);
  }

  /** Resumes a context the browser suspended; call it from a user gesture. */
  unlock(): void {
    if (this.ctx?.state === 'suspended') void this.ctx.resume().catch(() => undefined);
  }

  private burst(): void {
    const ctx = this.ctx;
    if (!ctx || ctx.state === 'closed') return;
    const start = ctx.currentTime + 0.02;
    for (const tone of this.pattern.tones) {
      const gain = ctx.createGain();
      const from = start + tone.at;
      const to = from + tone.length;
      // Soft edges: no clicks at the start and end of a tone.
      gain.gain.setValueAtTime(0.0001, from);
      gain.gain.exponentialRampToValueAtTime(this.pattern.gain, from + 0.02);
      gain.gain.setValueAtTime(this.pattern.gain, to - 0.05);
      gain.gain.exponentialRampToValueAtTime(0.0001, to);
      gain.connect(ctx.destination);
      for (const frequency of tone.frequencies) {
        const osc = ctx.createOscillator();
        osc.type = 'sine';
        osc.frequency.value = frequency;
        osc.connect(gain);
        osc.start(from);
        osc.stop(to + 0.01);
      }
    }
  }
}

function defaultContext(): AudioContext | undefined {
  return typeof AudioContext === 'undefined' ? undefined : new AudioContext();
}
