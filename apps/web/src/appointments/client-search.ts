import { CONTACT_LIMITS } from '@parley/protocol';
import type { UserSearchResult } from '@parley/protocol';
import { systemClock } from '../calls/clock';
import type { Clock, TimerId } from '../calls/clock';
import { Emitter } from '../calls/emitter';

/**
 * Choosing the client of a new appointment: the contacts module's user search, started when
 * typing pauses; answers to an older query are dropped.
 */
export type ClientSearchState =
  | { kind: 'idle' }
  | { kind: 'searching'; query: string }
  | { kind: 'results'; query: string; users: UserSearchResult[] }
  | { kind: 'failed'; query: string; error: unknown };

export class ClientSearch {
  private _state: ClientSearchState = { kind: 'idle' };
  private readonly events = new Emitter<{ change: (s: ClientSearchState) => void }>();
  private readonly clock: Clock;
  private timer: TimerId | undefined;
  private seq = 0;

  constructor(
    private readonly opts: {
      search: (q: string) => Promise<UserSearchResult[]>;
      /** The provider: never a client of their own appointment. */
      selfId: string;
      clock?: Clock;
      debounceMs?: number;
    },
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  get state(): ClientSearchState {
    return this._state;
  }

  on(event: 'change', fn: (s: ClientSearchState) => void): () => void {
    return this.events.on(event, fn);
  }

  type(raw: string): void {
    const query = raw.trim();
    const seq = ++this.seq;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (query.length < CONTACT_LIMITS.searchMinLength) {
      this.set({ kind: 'idle' });
      return;
    }
    this.set({ kind: 'searching', query });
    this.timer = this.clock.setTimeout(() => {
      this.opts.search(query).then(
        (users) => {
          if (seq === this.seq) {
            this.set({
              kind: 'results',
              query,
              users: users.filter((u) => u.id !== this.opts.selfId),
            });
          }
        },
        (error: unknown) => {
          if (seq === this.seq) this.set({ kind: 'failed', query, error });
        },
      );
    }, this.opts.debounceMs ?? 250);
  }

  dispose(): void {
    this.seq += 1;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.events.clear();
  }

  private set(s: ClientSearchState): void {
    this._state = s;
    this.events.emit('change', s);
  }
}
