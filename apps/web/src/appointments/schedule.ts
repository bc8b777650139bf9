import { OPEN_APPOINTMENT_STATUSES } from '@parley/protocol';
import type { Appointment, ListAppointmentsResponse } from '@parley/protocol';
import { Emitter } from '../calls/emitter';

export type ScheduleWhen = 'upcoming' | 'past';
/**
 * Whose list: the person's appointments as provider, as client, both (undefined: a
 * provider's schedule and the sessions where they are someone's client), or, for an admin,
 * everyone's (`all`).
 */
export type ScheduleAs = 'provider' | 'client' | 'all' | undefined;

export interface ScheduleQuery {
  when: ScheduleWhen;
  as?: ScheduleAs;
  cursor?: string | null;
}

export interface ScheduleApi {
  list(q: ScheduleQuery): Promise<ListAppointmentsResponse>;
}

/**
 * - `loading`: the first page of this tab is on its way (the list is empty until it comes).
 * - `more`: the next page is on its way under the shown list.
 */
export type ScheduleStatus = 'loading' | 'ready' | 'more' | 'failed';

export interface ScheduleState {
  when: ScheduleWhen;
  as: ScheduleAs;
  items: Appointment[];
  nextCursor: string | null;
  status: ScheduleStatus;
  error: unknown;
}

const OPEN = new Set<string>(OPEN_APPOINTMENT_STATUSES);

/** The server's split: still open (scheduled, confirmed, in progress) is upcoming. */
export function whenOf(a: Appointment): ScheduleWhen {
  return OPEN.has(a.status) ? 'upcoming' : 'past';
}

/** Upcoming soonest first, past latest first (the server's order). */
function before(a: Appointment, b: Appointment, when: ScheduleWhen): boolean {
  const d = Date.parse(a.startsAt) - Date.parse(b.startsAt);
  return when === 'upcoming' ? d < 0 : d > 0;
}

/** Whether an appointment belongs in the list `as`: an admin's own view is `admin`. */
function fitsAs(a: Appointment, as: ScheduleAs): boolean {
  if (as === 'all') return true;
  if (as === undefined) return a.myRole !== 'admin';
  return a.myRole === as;
}

/**
 * The appointments page's list: a tab (upcoming / past), whose (`as`), "load more", live
 * updates.
 */
export class Schedule {
  private _state: ScheduleState = {
    when: 'upcoming',
    as: undefined,
    items: [],
    nextCursor: null,
    status: 'loading',
    error: null,
  };
  private readonly events = new Emitter<{ change: (s: ScheduleState) => void }>();
  /** Bumped per tab load: answers for an older tab are dropped. */
  private seq = 0;
  private disposed = false;

  constructor(private readonly opts: { api: ScheduleApi; as?: ScheduleAs }) {
    this._state = { ...this._state, as: opts.as };
  }

  get state(): ScheduleState {
    return this._state;
  }

  on(event: 'change', fn: (s: ScheduleState) => void): () => void {
    return this.events.on(event, fn);
  }

  /** Shows the first page of `when` (the current tab by default) of the current list. */
  load(when: ScheduleWhen = this._state.when): Promise<void> {
    return this.first(when, this._state.as);
  }

  /** Switches to another list (an admin's `all` and back), on the current tab. */
  show(as: ScheduleAs): Promise<void> {
    return this.first(this._state.when, as);
  }

  private async first(when: ScheduleWhen, as: ScheduleAs): Promise<void> {
    const seq = ++this.seq;
    const same = when === this._state.when && as === this._state.as;
    const keep = same ? this._state.items : [];
    this.patch({ when, as, items: keep, nextCursor: null, status: 'loading', error: null });
    try {
      const res = await this.opts.api.list({ when, as });
      if (seq !== this.seq) return;
      this.patch({ items: res.appointments, nextCursor: res.nextCursor, status: 'ready' });
    } catch (error) {
      if (seq === this.seq) this.patch({ status: 'failed', error });
    }
  }

  async loadMore(): Promise<void> {
    const { nextCursor, status, when, as } = this._state;
    if (!nextCursor || status !== 'ready') return;
    const seq = this.seq;
    this.patch({ status: 'more', error: null });
    try {
      const res = await this.opts.api.list({ when, as, cursor: nextCursor });
      if (seq !== this.seq) return;
      const have = new Set(this._state.items.map((a) => a.id));
      this.patch({
        items: [...this._state.items, ...res.appointments.filter((a) => !have.has(a.id))],
        nextCursor: res.nextCursor,
        status: 'ready',
      });
    } catch (error) {
      if (seq === this.seq) this.patch({ status: 'ready', error });
    }
  }

  /**
   * An appointment changed (`appointment.updated`, or this page's own action): replaced in
   * place, moved to its place, dropped when it left this tab, inserted when it is new here.
   */
  upsert(a: Appointment): void {
    const { items, when, as, nextCursor, status } = this._state;
    const fits = whenOf(a) === when && fitsAs(a, as);
    const rest = items.filter((x) => x.id !== a.id);
    const known = rest.length !== items.length;
    if (!fits) {
      if (known) this.patch({ items: rest });
      return;
    }
    if (!known && status === 'loading') return;
    const at = rest.findIndex((x) => before(a, x, when));
    // Past the last loaded one while more pages exist: it belongs to a page not shown yet.
    if (at < 0 && nextCursor && !known) return;
    const next = [...rest];
    next.splice(at < 0 ? next.length : at, 0, a);
    this.patch({ items: next });
  }

  dispose(): void {
    this.disposed = true;
    this.events.clear();
  }

  private patch(p: Partial<ScheduleState>): void {
    if (this.disposed) return;
    this._state = { ...this._state, ...p };
    this.events.emit('change', this._state);
  }
}
