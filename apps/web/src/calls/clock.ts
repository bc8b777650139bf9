/**
 * Time as a dependency. The default reaches the global timer functions at call time (not
 * at import), so `vi.useFakeTimers()` in a test replaces them as well.
 */
export type TimerId = Parameters<typeof clearTimeout>[0];

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
  setInterval(fn: () => void, ms: number): TimerId;
  clearInterval(id: TimerId): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id),
};

/**
 * The server's clock as seen from here. Every server message that carries `serverTime`
 * gives a sample `serverTime - localNow` taken on receipt. It is the true offset minus that
 * message's one-way delay, so it can only be too small; the largest recent sample is the one
 * that travelled fastest and the best estimate. We keep the last `window` samples (welcome,
 * room.joined, playback.state, pong every heartbeat) and use their maximum, so an old sample
 * ages out when the local clock is adjusted.
 */
export class ClockOffset {
  private samples: number[] = [];
  constructor(private readonly window = 8) {}

  /** A server timestamp received at local time `localNow`; 0 (unknown) is ignored. */
  sample(serverTime: number, localNow: number): void {
    if (!serverTime) return;
    this.samples.push(serverTime - localNow);
    if (this.samples.length > this.window) this.samples.shift();
  }

  /** Milliseconds to add to the local clock to read the server's; 0 before any sample. */
  get offset(): number {
    return this.samples.length ? Math.max(...this.samples) : 0;
  }

  serverNow(localNow: number): number {
    return localNow + this.offset;
  }
}
