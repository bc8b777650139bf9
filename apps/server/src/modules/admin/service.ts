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
import { Errors } from '../../platform/errors.js';
import { decodeKeyset, keysetPage } from '../../platform/keyset-cursor.js';
import type { Roster } from '../../platform/live/index.js';
import { AdminErrors } from './errors.js';
import { createAdminRepo } from './repo.js';
import type { AdminRoomRow } from './repo.js';
import { toAdminCall, toAdminRoom, toAdminSeat } from './views.js';

export type AdminServiceDeps = {
  db: Db;
  /** Who is in which call now, on every process. */
  roster: Pick<Roster, 'countUsers' | 'list'>;
  /**
   * Ends a room for everyone, as its host's "end for all" does (the rooms service: the
   * room is closed, `room.closed` reaches every socket, the audit log records it).
   * False when it was already closed.
   */
  closeRoom(roomId: string, actorId: string): Promise<boolean>;
};

const requireAdmin = (actor: User): void => {
  if (actor.role !== 'admin' || actor.isGuest) throw Errors.forbidden();
};

/** What admins see of rooms and direct calls, and the one thing they do to a room: close it. */
export function createAdminService(deps: AdminServiceDeps) {
  const { roster } = deps;
  const repo = createAdminRepo(deps.db);

  const view = async (r: AdminRoomRow): Promise<AdminRoom> =>
    toAdminRoom(r, await roster.countUsers(r.id));

  async function findRoom(id: string): Promise<AdminRoomRow> {
    const r = await repo.room(id);
    if (!r) throw AdminErrors.roomNotFound();
    return r;
  }

  return {
    async rooms(actor: User, query: AdminRoomsQuery): Promise<AdminRoomsPage> {
      requireAdmin(actor);
      const rows = await repo.rooms({
        status: query.status,
        kind: query.kind,
        after: query.cursor === undefined ? undefined : decodeKeyset(query.cursor),
        limit: query.limit + 1,
      });
      const { page, nextCursor } = keysetPage(rows, query.limit);
      const rooms = await Promise.all(page.map(view));
      return {
        // The roster has the last word on "active": a room still marked occupied whose
        // last person just left (or whose process died) is not shown as active.
        rooms: query.status === 'active' ? rooms.filter((r) => r.participantCount > 0) : rooms,
        nextCursor,
      };
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
    async closeRoom(actor: User, id: string): Promise<AdminRoom> {
      requireAdmin(actor);
      const r = await findRoom(id);
      if (r.kind !== 'meeting') throw AdminErrors.notAMeeting();
      if (r.status === 'closed' || !(await deps.closeRoom(id, actor.id))) {
        throw AdminErrors.roomClosed();
      }
      return view(await findRoom(id));
    },

    async calls(actor: User, query: AdminCallsQuery): Promise<AdminCallsPage> {
      requireAdmin(actor);
      const rows = await repo.calls({
        state: query.status,
        after: query.cursor === undefined ? undefined : decodeKeyset(query.cursor),
        limit: query.limit + 1,
      });
      const { page, nextCursor } = keysetPage(rows, query.limit);
      return { calls: page.map(toAdminCall), nextCursor };
    },
  };
}
export type AdminService = ReturnType<typeof createAdminService>;
