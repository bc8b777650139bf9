import type { Call, CallFilter, ListCallsResponse } from '@parley/protocol';
import { Emitter } from '../calls/emitter';
import { PagedList } from '../lib/paged-list';
import type { PagedState, PagedStatus } from '../lib/paged-list';

export interface HistoryApi {
  list(q: { filter: CallFilter; cursor?: string | null }): Promise<ListCallsResponse>;
}

/** As the shared paged list's (lib/paged-list.ts). */
export type HistoryStatus = PagedStatus;

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

/**
 * The call history page's view model: newest first, a filter, "load more" (the shared
 * paged list), live updates, and the missed calls it shows reported as seen.
 */
export class CallHistory {
  private readonly list: PagedList<Call, CallFilter>;
  private _state: HistoryState;
  private readonly events = new Emitter<{ change: (s: HistoryState) => void }>();

  constructor(private readonly opts: CallHistoryOptions) {
    this.list = new PagedList<Call, CallFilter>(async (filter, cursor) => {
      const res = await opts.api.list(cursor ? { filter, cursor } : { filter });
      return { items: res.calls, nextCursor: res.nextCursor };
    }, 'all');
    this._state = view(this.list.state);
    this.list.on('change', (s) => {
      this._state = view(s);
      this.events.emit('change', this._state);
    });
    this.list.on('page', (calls) => this.reportUnseen(calls));
  }

  get state(): HistoryState {
    return this._state;
  }

  on(event: 'change', fn: (s: HistoryState) => void): () => void {
    return this.events.on(event, fn);
  }

  /** Shows the first page of `filter` (the current one by default). */
  load(filter: CallFilter = this._state.filter): Promise<void> {
    return this.list.load(filter);
  }

  loadMore(): Promise<void> {
    return this.list.loadMore();
  }

  /** A call changed (a socket message): updated in place, or added on top when it is new. */
  upsert(call: Call): void {
    const { calls, filter, status } = this._state;
    const fits = matchesFilter(call, filter, this.opts.userId);
    const at = calls.findIndex((c) => c.id === call.id);
    if (at >= 0) {
      const next = [...calls];
      if (fits) next[at] = call;
      else next.splice(at, 1);
      this.list.setItems(next);
    } else if (fits && status !== 'loading') {
      this.list.setItems([call, ...calls]);
    }
    if (call.missedUnseen && fits) this.reportUnseen([call]);
  }

  dispose(): void {
    this.list.dispose();
    this.events.clear();
  }

  private reportUnseen(calls: Call[]): void {
    const ids = calls
      .filter((c) => c.missedUnseen && c.callee.id === this.opts.userId)
      .map((c) => c.id);
    if (ids.length) this.opts.onUnseen?.(ids);
  }
}

/** The page's names for the shared list's state (`calls` for `items`). */
function view(s: PagedState<Call, CallFilter>): HistoryState {
  return {
    filter: s.filter,
    calls: s.items,
    nextCursor: s.nextCursor,
    status: s.status,
    error: s.error,
  };
}
