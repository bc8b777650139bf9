import type { CanJoinResponse, JoinBlockReason } from '@parley/protocol';
import { systemClock } from '../calls/clock';
import type { Clock, TimerId } from '../calls/clock';
import { Emitter } from '../calls/emitter';

/**
 * The Join button of an appointment. The server decides (`can-join`); this only shows its
 * answer and knows when to ask again:
 * - `joinable`: enabled, until `closesAt`.
 * - `waiting`: too early; `msLeft` counts down to `opensAt` on the server's clock, and at
 *   zero the server is asked again (it opens the door, not the countdown).
 * - `blocked`: any other reason, with the i18n key of its message.
 * - `failed`: the question did not get an answer (offline, server restarting); it is asked
 *   again by itself after 2 s, 5 s, 10 s, then every 30 s until an answer comes.
 */
export type JoinGateState =
  | { kind: 'loading' }
  | { kind: 'joinable'; closesAt: number; answer: CanJoinResponse }
  | { kind: 'waiting'; opensAt: number; msLeft: number; answer: CanJoinResponse }
  | { kind: 'blocked'; reason: JoinBlockReason; messageKey: string; answer: CanJoinResponse }
  | { kind: 'failed'; error: unknown; failures: number };

export interface JoinGateOptions {
  check: () => Promise<CanJoinResponse>;
  clock?: Clock;
  /** How often the countdown moves. */
  tickMs?: number;
  /** The least time between two automatic re-checks (a server that still says "too early"). */
  recheckMs?: number;
  /** Pauses before asking again after the 1st, 2nd… failure; the last one repeats. */
  retryDelaysMs?: readonly number[];
}

export const RETRY_DELAYS_MS: readonly number[] = [2_000, 5_000, 10_000, 30_000];

/** The message of each reason (locales: appointments.join.reason.*). */
export const reasonKey = (reason: JoinBlockReason) => `appointments.join.reason.${reason}`;

export class JoinGate {
  private _state: JoinGateState = { kind: 'loading' };
  private readonly events = new Emitter<{ change: (s: JoinGateState) => void }>();
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly recheckMs: number;
  private readonly retryDelaysMs: readonly number[];
  /** Failed questions in a row. */
  private failures = 0;
  private retry: TimerId | undefined;
  /** Server time minus this device's time, measured at the last answer. */
  private skew = 0;
  private ticker: TimerId | undefined;
  private closer: TimerId | undefined;
  private inflight: Promise<void> | undefined;
  private lastAutoCheck = -Infinity;
  private disposed = false;

  constructor(private readonly opts: JoinGateOptions) {
    this.clock = opts.clock ?? systemClock;
    this.tickMs = opts.tickMs ?? 1000;
    this.recheckMs = opts.recheckMs ?? 5000;
    this.retryDelaysMs = opts.retryDelaysMs?.length ? opts.retryDelaysMs : RETRY_DELAYS_MS;
  }

  get state(): JoinGateState {
    return this._state;
  }

  on(event: 'change', fn: (s: JoinGateState) => void): () => void {
    return this.events.on(event, fn);
  }

  /** Now on the server's clock, as well as this device can tell. */
  serverNow(): number {
    return this.clock.now() + this.skew;
  }

  /** Asks the server; one question at a time (a second call waits for the first). */
  refresh(): Promise<void> {
    this.inflight ??= this.ask().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  dispose(): void {
    this.disposed = true;
    this.stopTimers();
    this.events.clear();
  }

  private async ask(): Promise<void> {
    const sent = this.clock.now();
    let answer: CanJoinResponse;
    try {
      answer = await this.opts.check();
    } catch (error) {
      if (!this.disposed) this.failed(error);
      return;
    }
    if (this.disposed) return;
    this.failures = 0;
    // The answer was stamped somewhere between sending and receiving: take the middle.
    const received = this.clock.now();
    this.skew = answer.serverTime - (sent + received) / 2;
    this.adopt(answer);
  }

  /** No answer: say so, and ask again after a pause that grows with each failure in a row. */
  private failed(error: unknown): void {
    this.stopTimers();
    this.failures += 1;
    const delays = this.retryDelaysMs;
    const delay = delays[Math.min(this.failures, delays.length) - 1] ?? 30_000;
    this.set({ kind: 'failed', error, failures: this.failures });
    this.retry = this.clock.setTimeout(() => {
      this.retry = undefined;
      void this.refresh();
    }, delay);
  }

  private adopt(answer: CanJoinResponse): void {
    this.stopTimers();
    const opensAt = Date.parse(answer.opensAt);
    const closesAt = Date.parse(answer.closesAt);
    if (answer.canJoin) {
      this.set({ kind: 'joinable', closesAt, answer });
      // The door closes at the end of the window: ask again then, the button goes grey.
      this.closer = this.clock.setTimeout(
        () => void this.refresh(),
        Math.max(0, closesAt - this.serverNow()),
      );
      return;
    }
    const reason = answer.reason ?? 'NOT_A_PARTICIPANT';
    if (reason !== 'TOO_EARLY') {
      this.set({ kind: 'blocked', reason, messageKey: reasonKey(reason), answer });
      return;
    }
    this.set({ kind: 'waiting', opensAt, msLeft: opensAt - this.serverNow(), answer });
    this.ticker = this.clock.setInterval(() => this.tick(), this.tickMs);
  }

  private tick(): void {
    const s = this._state;
    if (s.kind !== 'waiting') return;
    const msLeft = s.opensAt - this.serverNow();
    this.set({ ...s, msLeft });
    if (msLeft > 0) return;
    // Time is up: the server says whether it opened (a late clock here asks again later).
    const now = this.clock.now();
    if (now - this.lastAutoCheck < this.recheckMs) return;
    this.lastAutoCheck = now;
    void this.refresh();
  }

  private stopTimers(): void {
    if (this.ticker !== undefined) this.clock.clearInterval(this.ticker);
    if (this.closer !== undefined) this.clock.clearTimeout(this.closer);
    if (this.retry !== undefined) this.clock.clearTimeout(this.retry);
    this.ticker = undefined;
    this.closer = undefined;
    this.retry = undefined;
  }

  private set(next: JoinGateState): void {
    if (this.disposed) return;
    this._state = next;
    this.events.emit('change', next);
  }
}
