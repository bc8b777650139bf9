import type { Call, CallFilter, ListCallsResponse } from '@parley/protocol';
import { Emitter } from '../calls/emitter';

export interface HistoryApi {
  list(q: { filter: CallFilter; cursor?: string | null }): Promise<ListCallsResponse>;
}

/**
 * - `loading`: the first page of this filter is on its way (the list is empty until it comes).
 * - `more`: the next page is on its way under the shown list.
 */
export type HistoryStatus = 'loading' | 'ready' | 'more' | 'failed';

export interface HistoryState {
  filter: CallFilter;
  calls: Call[];
  nextCursor: string | null;
  status: HistoryStatus;
  error: unknown;
}

export interface CallHistoryOptions {
  api: HistoryApi;
  userId: string;
  /** Missed calls of a loaded page that are still unseen: the page marks them seen. */
  onUnseen?: (callIds: string[]) => void;
}

/** Whether a call belongs in a filter's list, as `me` sees it. */
export function matchesFilter(call: Call, filter: CallFilter, me: string): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'missed':
      return call.state === 'missed' && call.callee.id === me;
    case 'active':
      return call.state === 'ringing' || call.state === 'accepted';
    default: {
      const never: never = filter;
      return never;
    }
  }
}

/** The call history page's view model: newest first, a filter, "load more", live updates. */
export class CallHistory {
  private _state: HistoryState = {
    filter: 'all',
    calls: [],
    nextCursor: null,
    status: 'loading',
    error: null,
  };
  private readonly events = new Emitter<{ change: (s: HistoryState) => void }>();
  /** Bumped per filter load: answers for an older filter are dropped. */
  private seq = 0;
  private disposed = false;

  constructor(private readonly opts: CallHistoryOptions) {}

  get state(): HistoryState {
    return this._state;
  }

  on(event: 'change', fn: (s: HistoryState) => void): () => void {
    return this.events.on(event, fn);
  }

  /** Shows the first page of `filter` (the current one by default). */
  async load(filter: CallFilter = this._state.filter): Promise<void> {
    const seq = ++this.seq;
    const keep = filter === this._state.filter ? this._state.calls : [];
    this.patch({ filter, calls: keep, nextCursor: null, status: 'loading', error: null });
    try {
      const res = await this.opts.api.list({ filter });
      if (seq !== this.seq) return;
      this.patch({ calls: res.calls, nextCursor: res.nextCursor, status: 'ready' });
      this.reportUnseen(res.calls);
    } catch (error) {
      if (seq === this.seq) this.patch({ status: 'failed', error });
    }
  }

  async loadMore(): Promise<void> {
    const { nextCursor, status, filter } = this._state;
    if (!nextCursor || status !== 'ready') return;
    const seq = this.seq;
    this.patch({ status: 'more', error: null });
    try {
      const res = await this.opts.api.list({ filter, cursor: nextCursor });
      if (seq !== this.seq) return;
      const have = new Set(this._state.calls.map((c) => c.id));
      this.patch({
        calls: [...this._state.calls, ...res.calls.filter((c) => !have.has(c.id))],
        nextCursor: res.nextCursor,
        status: 'ready',
      });
      this.reportUnseen(res.calls);
    } catch (error) {
      if (seq === this.seq) this.patch({ status: 'ready', error });
    }
  }

  /** A call changed (a socket message): updated in place, or added on top when it is new. */
  upsert(call: Call): void {
    const { calls, filter } = this._state;
    const fits = matchesFilter(call, filter, this.opts.userId);
    const at = calls.findIndex((c) => c.id === call.id);
    if (at >= 0) {
      const next = [...calls];
      if (fits) next[at] = call;
      else next.splice(at, 1);
      this.patch({ calls: next });
    } else if (fits && this._state.status !== 'loading') {
      this.patch({ calls: [call, ...calls] });
    }
    if (call.missedUnseen && fits) this.reportUnseen([call]);
  }

  dispose(): void {
    this.disposed = true;
    this.events.clear();
  }

  private reportUnseen(calls: Call[]): void {
    const ids = calls
      .filter((c) => c.missedUnseen && c.callee.id === this.opts.userId)
      .map((c) => c.id);
    if (ids.length) this.opts.onUnseen?.(ids);
  }

  private patch(p: Partial<HistoryState>): void {
    if (this.disposed) return;
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }
}
