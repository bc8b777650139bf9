import type {
  AdminCallsPage,
  AdminCallsQuery,
  AdminRoom,
  AdminRoomDetail,
  AdminRoomsPage,
  AdminRoomsQuery,
  User,
} from '@parley/protocol';
import type { Db } from '../../platform/db/database.js';
import { isAdmin } from '../../platform/auth/hook.js';
import type { RequestContext } from '../../platform/request-context.js';
import { Errors } from '../../platform/errors.js';
import { encodeKeyset, keysetFrom, keysetPage } from '../../platform/keyset-cursor.js';
import type { Roster } from '../../platform/live/index.js';
import { AdminErrors } from './errors.js';
import { createAdminRepo } from './repo.js';
import type { AdminRoomRow } from './repo.js';
import { toAdminCall, toAdminRoom, toAdminSeat } from './views.js';

export type AdminServiceDeps = {
  db: Db;
  /** Who is in which call now, on every process. */
  roster: Pick<Roster, 'countUsersOfRooms' | 'list'>;
  /**
   * Ends a room for everyone, as its host's "end for all" does (the rooms service: the
   * room is closed, `room.closed` reaches every socket, the audit log records it).
   * False when it was already closed.
   */
  closeRoom(roomId: string, actorId: string, origin: RequestContext): Promise<boolean>;
};

/** Rows fetched at a time for the `active` list, and the most looked at for one page. */
const ACTIVE_BATCH = 50;
const ACTIVE_SCAN = 1_000;

const requireAdmin = (actor: User): void => {
  if (!isAdmin(actor)) throw Errors.forbidden();
};

/** What admins see of rooms and direct calls, and the one thing they do to a room: close it. */
export function createAdminService(deps: AdminServiceDeps) {
  const { roster } = deps;
  const repo = createAdminRepo(deps.db);

  /** The rooms with who is in them now: one roster read for the whole page. */
  const views = async (rows: AdminRoomRow[]): Promise<AdminRoom[]> => {
    const counts = await roster.countUsersOfRooms(rows.map((r) => r.id));
    return rows.map((r, i) => toAdminRoom(r, counts[i] ?? 0));
  };
  const view = async (r: AdminRoomRow): Promise<AdminRoom> => (await views([r]))[0]!;

  /**
   * `active`: the rooms the database marks occupied, of which the roster has the last word
   * (a room whose last person just left, or whose process died, is still marked). Rooms the
   * roster finds empty are skipped and further rows fetched, so a page is full unless the
   * rows run out, and one more live room past the page is what makes `nextCursor` non-null.
   * At most ACTIVE_SCAN rows per request: past that the page may be short, and `nextCursor`
   * is where the look stopped (the next request goes on from there).
   */
  async function activeRooms(query: AdminRoomsQuery): Promise<AdminRoomsPage> {
    const live: { row: AdminRoomRow; room: AdminRoom }[] = [];
    const batch = Math.max(query.limit + 1, ACTIVE_BATCH);
    let after = keysetFrom(query.cursor);
    let scanned = 0;
    while (live.length <= query.limit) {
      const rows = await repo.rooms({ status: 'active', kind: query.kind, after, limit: batch });
      const rooms = await views(rows);
      rows.forEach((row, i) => {
        const room = rooms[i];
        if (room && room.participantCount > 0) live.push({ row, room });
      });
      const last = rows[rows.length - 1];
      if (rows.length < batch || !last) break; // no more rows
      after = { createdAt: last.created_at, id: last.id };
      scanned += rows.length;
      if (scanned >= ACTIVE_SCAN && live.length <= query.limit) {
        return { rooms: live.map((l) => l.room), nextCursor: encodeKeyset(after) };
      }
    }
    const { page, nextCursor } = keysetPage(
      live.map((l) => l.row),
      query.limit,
    );
    return { rooms: live.slice(0, page.length).map((l) => l.room), nextCursor };
  }

  async function findRoom(id: string): Promise<AdminRoomRow> {
    const r = await repo.room(id);
    if (!r) throw AdminErrors.roomNotFound();
    return r;
  }

  return {
    async rooms(actor: User, query: AdminRoomsQuery): Promise<AdminRoomsPage> {
      requireAdmin(actor);
      if (query.status === 'active') return activeRooms(query);
      const rows = await repo.rooms({
        status: query.status,
        kind: query.kind,
        after: keysetFrom(query.cursor),
        limit: query.limit + 1,
      });
      const { page, nextCursor } = keysetPage(rows, query.limit);
      return { rooms: await views(page), nextCursor };
    },

    async room(actor: User, id: string): Promise<AdminRoomDetail> {
      requireAdmin(actor);
      const r = await findRoom(id);
      const connected = await roster.list(id);
      const seats = await repo.seats(id);
      return {
        room: toAdminRoom(r, new Set(connected.map((e) => e.userId)).size),
        connected,
        seats: seats.map((s) => toAdminSeat(s, connected)),
      };
    },

    /** Ends a meeting for everyone in it and in its lobby. */
    async closeRoom(actor: User, id: string, origin: RequestContext): Promise<AdminRoom> {
      requireAdmin(actor);
      const r = await findRoom(id);
      if (r.kind !== 'meeting') throw AdminErrors.notAMeeting();
      if (r.status === 'closed' || !(await deps.closeRoom(id, actor.id, origin))) {
        throw AdminErrors.roomClosed();
      }
      return view(await findRoom(id));
    },

    async calls(actor: User, query: AdminCallsQuery): Promise<AdminCallsPage> {
      requireAdmin(actor);
      const rows = await repo.calls({
        state: query.status,
        after: keysetFrom(query.cursor),
        limit: query.limit + 1,
      });
      const { page, nextCursor } = keysetPage(rows, query.limit);
      return { calls: page.map(toAdminCall), nextCursor };
    },
  };
}
export type AdminService = ReturnType<typeof createAdminService>;
