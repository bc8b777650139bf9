import { Emitter } from '../calls/emitter';

/** One page of a list paged by cursor (the admin lists, the call history, appointments). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Fetches the page after `cursor` (null: the first) under `filter`. */
export type PageSource<T, F> = (filter: F, cursor: string | null) => Promise<Page<T>>;

/**
 * - `loading`: the first page for this filter is on its way (the list is empty until then,
 *   unless the filter is the one shown: then the shown rows stay until it comes).
 * - `more`: the next page is on its way under the shown rows.
 * - `failed`: the first page failed (`error`); a failed "more" keeps `ready` and sets `error`.
 */
export type PagedStatus = 'loading' | 'ready' | 'more' | 'failed';

export interface PagedState<T, F> {
  filter: F;
  items: T[];
  nextCursor: string | null;
  status: PagedStatus;
  error: unknown;
}

export interface PagedListOptions<F> {
  /**
   * Whether two filters are the same list (default: the same value, `===`). Loading the
   * same one again keeps the shown rows until the answer comes; another starts empty.
   */
  sameFilter?: (a: F, b: F) => boolean;
}

type PagedEvents<T, F> = {
  change: (s: PagedState<T, F>) => void;
  /** A page's rows were taken into the list (not one dropped as an older filter's). */
  page: (items: T[]) => void;
};

/**
 * A filtered list paged by cursor, for every such page (the admin lists, the call history,
 * the appointments): a new filter starts over, "more" appends without repeating a row,
 * answers for an older filter are dropped, a row changed by an action or a live message is
 * replaced in place. The page's own rules build on it; the .vue file binds.
 */
export class PagedList<T extends { id: string }, F> {
  private _state: PagedState<T, F>;
  private readonly events = new Emitter<PagedEvents<T, F>>();
  private readonly sameFilter: (a: F, b: F) => boolean;
  /** Bumped per first-page load: an answer for an older filter is dropped. */
  private seq = 0;
  private disposed = false;

  constructor(
    private readonly source: PageSource<T, F>,
    filter: F,
    options: PagedListOptions<F> = {},
  ) {
    this._state = { filter, items: [], nextCursor: null, status: 'loading', error: null };
    this.sameFilter = options.sameFilter ?? ((a, b) => a === b);
  }

  get state(): PagedState<T, F> {
    return this._state;
  }

  on<K extends keyof PagedEvents<T, F>>(event: K, fn: PagedEvents<T, F>[K]): () => void {
    return this.events.on(event, fn);
  }

  /** The first page under `filter` (the current one by default: a refresh). */
  async load(filter: F = this._state.filter): Promise<void> {
    const seq = ++this.seq;
    const same = this.sameFilter(filter, this._state.filter);
    this.patch({
      filter,
      items: same ? this._state.items : [],
      nextCursor: null,
      status: 'loading',
      error: null,
    });
    try {
      const page = await this.source(filter, null);
      if (seq !== this.seq) return;
      this.patch({ items: page.items, nextCursor: page.nextCursor, status: 'ready' });
      this.emitPage(page.items);
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
      const page = await this.source(filter, nextCursor);
      if (seq !== this.seq) return;
      const have = new Set(this._state.items.map((x) => x.id));
      this.patch({
        items: [...this._state.items, ...page.items.filter((x) => !have.has(x.id))],
        nextCursor: page.nextCursor,
        status: 'ready',
      });
      this.emitPage(page.items);
    } catch (error) {
      if (seq === this.seq) this.patch({ status: 'ready', error });
    }
  }

  /** A row changed (an action's answer): replaced where it is; unknown rows are ignored. */
  replace(item: T): void {
    const at = this._state.items.findIndex((x) => x.id === item.id);
    if (at < 0) return;
    const items = [...this._state.items];
    items[at] = item;
    this.patch({ items });
  }

  /** A row no longer belongs in this list (a room closed while "active" is shown). */
  remove(id: string): void {
    const items = this._state.items.filter((x) => x.id !== id);
    if (items.length !== this._state.items.length) this.patch({ items });
  }

  /**
   * The shown rows, rearranged by a page's own rule (a live update that moves a row, adds a
   * new one on top or drops one that left the filter). The cursor and status stay.
   */
  setItems(items: T[]): void {
    this.patch({ items });
  }

  dispose(): void {
    this.disposed = true;
    this.events.clear();
  }

  private emitPage(items: T[]): void {
    if (!this.disposed) this.events.emit('page', items);
  }

  private patch(p: Partial<PagedState<T, F>>): void {
    if (this.disposed) return;
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }
}
