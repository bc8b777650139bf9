import type { AdminRoom, AdminRoomDetail, AdminRoomsPage, AdminRoomStatus } from '@parley/protocol';
import { Emitter } from '../calls/emitter';
import { Confirmation } from './confirm';
import { PagedList } from '../lib/paged-list';

export interface RoomsFilter {
  status: AdminRoomStatus;
}

export interface RoomsApi {
  list(filter: RoomsFilter, cursor: string | null): Promise<AdminRoomsPage>;
  get(id: string): Promise<AdminRoomDetail>;
  close(id: string): Promise<AdminRoom>;
}

/** One room's "who is in it" panel, opened under its row. */
export type RoomDetailState =
  | { kind: 'loading' }
  | { kind: 'ready'; detail: AdminRoomDetail }
  | { kind: 'failed'; error: unknown };

export interface RoomDetailsState {
  /** Open panels by room id. */
  open: Record<string, RoomDetailState>;
}

/** Only meetings are closed from here; a direct call or an appointment ends on its own. */
export function canClose(room: AdminRoom): boolean {
  return room.kind === 'meeting' && room.status === 'open';
}

/**
 * The rooms page: active now (the default), open or closed; each room's participants on
 * demand; "close" for a meeting, confirmed first. A closed room leaves the active and open
 * lists at once.
 */
export class AdminRooms {
  readonly list: PagedList<AdminRoom, RoomsFilter>;
  readonly confirmation: Confirmation<AdminRoom>;
  private _details: RoomDetailsState = { open: {} };
  private readonly events = new Emitter<{ change: (s: RoomDetailsState) => void }>();

  constructor(private readonly api: RoomsApi) {
    this.list = new PagedList<AdminRoom, RoomsFilter>(
      async (f, cursor) => {
        const page = await api.list(f, cursor);
        return { items: page.rooms, nextCursor: page.nextCursor };
      },
      { status: 'active' },
    );
    this.confirmation = new Confirmation((room) => this.close(room));
  }

  /** The open "who is in it" panels (a ViewModel of its own for the page). */
  get state(): RoomDetailsState {
    return this._details;
  }

  on(event: 'change', fn: (s: RoomDetailsState) => void): () => void {
    return this.events.on(event, fn);
  }

  show(status: AdminRoomStatus): Promise<void> {
    this.setOpen({});
    return this.list.load({ status });
  }

  /** Opens (and loads) a room's panel, or closes it when open. */
  async toggle(id: string): Promise<void> {
    if (this._details.open[id]) {
      const { [id]: _closed, ...rest } = this._details.open;
      this.setOpen(rest);
      return;
    }
    await this.refresh(id);
  }

  /** Loads a room's panel again (people come and go). */
  async refresh(id: string): Promise<void> {
    this.setOpen({ ...this._details.open, [id]: { kind: 'loading' } });
    let next: RoomDetailState;
    try {
      next = { kind: 'ready', detail: await this.api.get(id) };
    } catch (error) {
      next = { kind: 'failed', error };
    }
    // Closed meanwhile: stays closed.
    if (this._details.open[id]) this.setOpen({ ...this._details.open, [id]: next });
  }

  dispose(): void {
    this.list.dispose();
    this.confirmation.dispose();
    this.events.clear();
  }

  private async close(room: AdminRoom): Promise<void> {
    const closed = await this.api.close(room.id);
    if (this.list.state.filter.status === 'closed') this.list.replace(closed);
    else this.list.remove(room.id);
    const { [room.id]: _gone, ...rest } = this._details.open;
    this.setOpen(rest);
  }

  private setOpen(open: Record<string, RoomDetailState>): void {
    this._details = { open };
    this.events.emit('change', this._details);
  }
}
