/** Time comes from here so tests can move it; never call Date.now() in services. */
export interface Clock {
  now(): Date;
}

export type TimerId = { readonly __timer: unique symbol } | NodeJS.Timeout;

/**
 * Timers as a dependency (heartbeats, hello timeouts, live-state ticks), like the web
 * engine's `calls/clock.ts`: tests drive them with `ManualClock.advance` instead of
 * waiting on real time. Real timers are unref'd: none of them keeps the process up.
 */
export interface Timers {
  /** Milliseconds on a clock that never steps back (elapsed-time checks). */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  setInterval(fn: () => void, ms: number): TimerId;
  clear(id: TimerId): void;
}

export const systemClock: Clock = { now: () => new Date() };

export const systemTimers: Timers = {
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clear: (id) => clearTimeout(id as NodeJS.Timeout),
};

type Scheduled = { at: number; fn: () => void; every: number | undefined; id: TimerId };

/**
 * A clock and timers tests set and move together: `tick(ms)` moves the date and the
 * monotonic time and runs every timer that falls due, in order, letting the promises
 * each one starts settle before the next. `advance(ms)` only moves the time.
 */
export class ManualClock implements Clock, Timers {
  private mono = 0;
  private readonly timers = new Map<TimerId, Scheduled>();

  constructor(private current = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  monotonic(): number {
    return this.mono;
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
  /** Moves time without running timers. */
  advance(ms: number): void {
    this.step(ms);
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    return this.schedule(fn, ms, undefined);
  }
  setInterval(fn: () => void, ms: number): TimerId {
    return this.schedule(fn, ms, Math.max(1, ms));
  }
  clear(id: TimerId): void {
    this.timers.delete(id);
  }
  /** Timers still scheduled (tests check nothing is left behind). */
  pending(): number {
    return this.timers.size;
  }

  /** Moves time by `ms`, firing due timers one by one; awaits what they started. */
  async tick(ms: number): Promise<void> {
    const end = this.mono + ms;
    for (;;) {
      const next = [...this.timers.values()].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      // A timer overdue after `advance` fires now; time never runs backwards.
      this.step(Math.max(0, next.at - this.mono));
      if (next.every === undefined) this.timers.delete(next.id);
      else next.at += next.every;
      next.fn();
      await settle();
    }
    this.step(end - this.mono);
    await settle();
  }

  private step(ms: number): void {
    this.mono += ms;
    this.current = new Date(this.current.getTime() + ms);
  }

  private schedule(fn: () => void, ms: number, every: number | undefined): TimerId {
    const id = Symbol('timer') as unknown as TimerId;
    this.timers.set(id, { at: this.mono + Math.max(0, ms), fn, every, id });
    return id;
  }
}

/** Lets pending promise callbacks (and the I/O they wait on, briefly) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
