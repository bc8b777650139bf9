import { CONTACT_LIMITS } from '@parley/protocol';
import type {
  BlocksResponse,
  Contact,
  PersonRef,
  Presence,
  PresenceChangedMessage,
  UserSearchResult,
} from '@parley/protocol';
import { systemClock } from '../calls/clock';
import type { Clock, TimerId } from '../calls/clock';
import { Emitter } from '../calls/emitter';

export type BlockedUser = BlocksResponse['blocked'][number];

/** The contact routes the page uses (api/endpoints.ts implements them). */
export interface ContactsApi {
  list(): Promise<Contact[]>;
  add(userId: string): Promise<Contact>;
  remove(userId: string): Promise<void>;
  search(q: string): Promise<UserSearchResult[]>;
  blocks(): Promise<BlockedUser[]>;
  block(userId: string): Promise<void>;
  unblock(userId: string): Promise<void>;
  doNotDisturb(): Promise<boolean>;
  setDoNotDisturb(on: boolean): Promise<boolean>;
}

/**
 * - `idle`: fewer than CONTACT_LIMITS.searchMinLength characters typed.
 * - `waiting`: typed; the search starts when typing pauses (debounce).
 */
export type SearchState =
  | { kind: 'idle' }
  | { kind: 'waiting'; query: string }
  | { kind: 'results'; query: string; users: UserSearchResult[] }
  | { kind: 'failed'; query: string; error: unknown };

export interface ContactsState {
  /** Null until the first load answers. */
  contacts: Contact[] | null;
  loadError: unknown;
  blocked: BlockedUser[];
  doNotDisturb: boolean;
  search: SearchState;
  /** Users with an add/remove/block in flight. */
  busy: ReadonlySet<string>;
  /** The last failed action (add, remove, block, do-not-disturb), for one alert. */
  actionError: unknown;
}

export interface ContactsBookOptions {
  api: ContactsApi;
  clock?: Clock;
  debounceMs?: number;
}

/** Online first, then do-not-disturb, then by name. */
function byPresence(a: Contact, b: Contact): number {
  const score = (p: Presence) => (p.online ? (p.doNotDisturb ? 1 : 0) : 2);
  return (
    score(a.presence) - score(b.presence) || a.user.displayName.localeCompare(b.user.displayName)
  );
}

/**
 * The contacts page's view model: the list with live presence, the debounced user search,
 * add / remove / block, and this person's do-not-disturb setting.
 */
export class ContactsBook {
  private _state: ContactsState = {
    contacts: null,
    loadError: null,
    blocked: [],
    doNotDisturb: false,
    search: { kind: 'idle' },
    busy: new Set(),
    actionError: null,
  };
  private readonly events = new Emitter<{ change: (s: ContactsState) => void }>();
  private readonly clock: Clock;
  private searchTimer: TimerId | undefined;
  /** Bumped for every query: an older search's answer is dropped. */
  private searchSeq = 0;
  private disposed = false;

  constructor(private readonly opts: ContactsBookOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  get state(): ContactsState {
    return this._state;
  }

  on(event: 'change', fn: (s: ContactsState) => void): () => void {
    return this.events.on(event, fn);
  }

  async load(): Promise<void> {
    this.patch({ loadError: null });
    const { api } = this.opts;
    try {
      const [contacts, blocked, dnd] = await Promise.all([
        api.list(),
        api.blocks(),
        api.doNotDisturb(),
      ]);
      this.patch({ contacts: [...contacts].sort(byPresence), blocked, doNotDisturb: dnd });
    } catch (err) {
      this.patch({ loadError: err });
    }
  }

  /** What is typed in the search box; searches once typing pauses. */
  setQuery(raw: string): void {
    const query = raw.trim();
    const current = this._state.search;
    // "ada" then "ada " is the same search: nothing to redo.
    if (current.kind !== 'idle' && current.kind !== 'failed' && current.query === query) return;
    this.searchSeq += 1;
    if (this.searchTimer !== undefined) this.clock.clearTimeout(this.searchTimer);
    this.searchTimer = undefined;
    if (query.length < CONTACT_LIMITS.searchMinLength) {
      this.patch({ search: { kind: 'idle' } });
      return;
    }
    this.patch({ search: { kind: 'waiting', query } });
    const seq = this.searchSeq;
    this.searchTimer = this.clock.setTimeout(() => {
      this.searchTimer = undefined;
      void this.runSearch(query, seq);
    }, this.opts.debounceMs ?? 300);
  }

  async add(user: PersonRef): Promise<void> {
    await this.act(user.id, async () => {
      const contact = await this.opts.api.add(user.id);
      const others = (this._state.contacts ?? []).filter((c) => c.user.id !== user.id);
      this.patch({
        contacts: [...others, contact].sort(byPresence),
        search: this.markInSearch(user.id, true),
      });
    });
  }

  async remove(userId: string): Promise<void> {
    await this.act(userId, async () => {
      await this.opts.api.remove(userId);
      this.patch({
        contacts: (this._state.contacts ?? []).filter((c) => c.user.id !== userId),
        search: this.markInSearch(userId, false),
      });
    });
  }

  /** Blocks a person: they can no longer call; the lists are read again (the server decides). */
  async block(user: PersonRef): Promise<void> {
    await this.act(user.id, async () => {
      await this.opts.api.block(user.id);
      await this.reloadLists();
    });
  }

  async unblock(userId: string): Promise<void> {
    await this.act(userId, async () => {
      await this.opts.api.unblock(userId);
      await this.reloadLists();
    });
  }

  async setDoNotDisturb(on: boolean): Promise<void> {
    const before = this._state.doNotDisturb;
    this.patch({ doNotDisturb: on, actionError: null });
    try {
      this.patch({ doNotDisturb: await this.opts.api.setDoNotDisturb(on) });
    } catch (err) {
      this.patch({ doNotDisturb: before, actionError: err });
    }
  }

  /** A contact came online, went offline or changed do-not-disturb (`presence.changed`). */
  applyPresence(msg: Pick<PresenceChangedMessage, 'userId' | 'presence'>): void {
    const contacts = this._state.contacts;
    if (!contacts?.some((c) => c.user.id === msg.userId)) return;
    this.patch({
      contacts: contacts
        .map((c) => (c.user.id === msg.userId ? { ...c, presence: msg.presence } : c))
        .sort(byPresence),
    });
  }

  dismissError(): void {
    this.patch({ actionError: null });
  }

  dispose(): void {
    this.disposed = true;
    if (this.searchTimer !== undefined) this.clock.clearTimeout(this.searchTimer);
    this.events.clear();
  }

  private async runSearch(query: string, seq: number): Promise<void> {
    try {
      const users = await this.opts.api.search(query);
      if (seq === this.searchSeq) this.patch({ search: { kind: 'results', query, users } });
    } catch (error) {
      if (seq === this.searchSeq) this.patch({ search: { kind: 'failed', query, error } });
    }
  }

  private async reloadLists(): Promise<void> {
    const [contacts, blocked] = await Promise.all([this.opts.api.list(), this.opts.api.blocks()]);
    this.patch({ contacts: [...contacts].sort(byPresence), blocked });
  }

  private markInSearch(userId: string, isContact: boolean): SearchState {
    const s = this._state.search;
    if (s.kind !== 'results') return s;
    return {
      ...s,
      users: s.users.map((u) => (u.id === userId ? { ...u, isContact } : u)),
    };
  }

  private async act(userId: string, fn: () => Promise<void>): Promise<void> {
    this.patch({ busy: new Set(this._state.busy).add(userId), actionError: null });
    try {
      await fn();
    } catch (err) {
      this.patch({ actionError: err });
    } finally {
      const busy = new Set(this._state.busy);
      busy.delete(userId);
      this.patch({ busy });
    }
  }

  private patch(p: Partial<ContactsState>): void {
    if (this.disposed) return;
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }
}
