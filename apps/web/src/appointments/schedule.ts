import { OPEN_APPOINTMENT_STATUSES } from '@parley/protocol';
import type { Appointment, ListAppointmentsResponse } from '@parley/protocol';
import { Emitter } from '../calls/emitter';
import { PagedList } from '../lib/paged-list';
import type { PagedState, PagedStatus } from '../lib/paged-list';

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

/** As the shared paged list's (lib/paged-list.ts). */
export type ScheduleStatus = PagedStatus;

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

/** Which list a page of the schedule belongs to. */
type ScheduleFilter = { when: ScheduleWhen; as: ScheduleAs };

/**
 * The appointments page's list: a tab (upcoming / past), whose (`as`), "load more" (the
 * shared paged list), live updates.
 */
export class Schedule {
  private readonly list: PagedList<Appointment, ScheduleFilter>;
  private _state: ScheduleState;
  private readonly events = new Emitter<{ change: (s: ScheduleState) => void }>();

  constructor(opts: { api: ScheduleApi; as?: ScheduleAs }) {
    this.list = new PagedList<Appointment, ScheduleFilter>(
      async ({ when, as }, cursor) => {
        const res = await opts.api.list(cursor ? { when, as, cursor } : { when, as });
        return { items: res.appointments, nextCursor: res.nextCursor };
      },
      { when: 'upcoming', as: opts.as },
      { sameFilter: (a, b) => a.when === b.when && a.as === b.as },
    );
    this._state = view(this.list.state);
    this.list.on('change', (s) => {
      this._state = view(s);
      this.events.emit('change', this._state);
    });
  }

  get state(): ScheduleState {
    return this._state;
  }

  on(event: 'change', fn: (s: ScheduleState) => void): () => void {
    return this.events.on(event, fn);
  }

  /** Shows the first page of `when` (the current tab by default) of the current list. */
  load(when: ScheduleWhen = this._state.when): Promise<void> {
    return this.list.load({ when, as: this._state.as });
  }

  /** Switches to another list (an admin's `all` and back), on the current tab. */
  show(as: ScheduleAs): Promise<void> {
    return this.list.load({ when: this._state.when, as });
  }

  loadMore(): Promise<void> {
    return this.list.loadMore();
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
      if (known) this.list.setItems(rest);
      return;
    }
    if (!known && status === 'loading') return;
    const at = rest.findIndex((x) => before(a, x, when));
    // Past the last loaded one while more pages exist: it belongs to a page not shown yet.
    if (at < 0 && nextCursor && !known) return;
    const next = [...rest];
    next.splice(at < 0 ? next.length : at, 0, a);
    this.list.setItems(next);
  }

  dispose(): void {
    this.list.dispose();
    this.events.clear();
  }
}

/** The page's names for the shared list's state (the filter spelled out). */
function view(s: PagedState<Appointment, ScheduleFilter>): ScheduleState {
  return {
    when: s.filter.when,
    as: s.filter.as,
    items: s.items,
    nextCursor: s.nextCursor,
    status: s.status,
    error: s.error,
  };
}
