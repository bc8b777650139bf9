import type { Clock, TimerId } from '../../calls/clock';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

/** A clock the test moves by hand; timers fire in time order as it passes them. */
export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(public time = 0) {}

  now = (): number => this.time;

  setTimeout = (fn: () => void, ms: number): TimerId => this.add(fn, ms);
  setInterval = (fn: () => void, ms: number): TimerId => this.add(fn, ms, Math.max(1, ms));
  clearTimeout = (id: TimerId): void => this.remove(id);
  clearInterval = (id: TimerId): void => this.remove(id);

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      if (next.every) next.at += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.time = end;
  }

  get pending(): number {
    return this.timers.length;
  }

  private add(fn: () => void, ms: number, every?: number): TimerId {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), fn, every });
    return id;
  }

  private remove(id: TimerId): void {
    this.timers = this.timers.filter((t) => (t.id as unknown) !== id);
  }
}
