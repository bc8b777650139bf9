import type { AdminUserListItem, AdminUsersPage, AdminUsersQuery, User } from '@parley/protocol';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { Errors } from '../../platform/errors.js';
import { decodeKeyset, keysetPage } from '../../platform/keyset-cursor.js';
import type { Roster } from '../../platform/live/index.js';
import { PRESENCE_KEY } from '../../platform/live/presence.js';
import { escapeLike, searchKey } from '../../platform/search-key.js';
import { toUser } from './repo.js';
import { normalizeEmail } from './service.js';

export type UserDirectoryDeps = {
  db: Db;
  /** Online now = at least one presence entry (platform/live/presence.ts), on any process. */
  roster: Pick<Roster, 'countUserConnections'>;
};

/**
 * The admins' list of accounts: newest first, narrowed by the start of a name or an email
 * address, role, disabled or not, guests or not. Unlike the members' search (contacts),
 * it lists everyone, emails included: admins run the server.
 */
export function createUserDirectory(deps: UserDirectoryDeps) {
  const { db, roster } = deps;

  return {
    async list(actor: User, query: AdminUsersQuery): Promise<AdminUsersPage> {
      if (actor.role !== 'admin' || actor.isGuest) throw Errors.forbidden();
      const after = query.cursor === undefined ? undefined : decodeKeyset(query.cursor);
      const q = query.q?.trim();

      let select = db.selectFrom('users').selectAll();
      if (q) {
        // The folded name (searchKey) and the lower-cased email, each by prefix (indexed).
        const name = `${escapeLike(searchKey(q))}%`;
        const email = `${escapeLike(normalizeEmail(q))}%`;
        select = select.where((eb) =>
          eb.or([
            eb('search_name', 'like', sql<string>`${name} escape '\\'`),
            eb('email', 'like', sql<string>`${email} escape '\\'`),
          ]),
        );
      }
      if (query.role) select = select.where('role', '=', query.role);
      if (query.status === 'active') select = select.where('disabled_at', 'is', null);
      if (query.status === 'disabled') select = select.where('disabled_at', 'is not', null);
      if (query.guests === 'exclude') select = select.where('is_guest', '=', 0);
      if (query.guests === 'only') select = select.where('is_guest', '=', 1);
      if (after) {
        select = select.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
          ]),
        );
      }
      const rows = await select
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();

      const { page, nextCursor } = keysetPage(rows, query.limit);
      // One presence count per listed account (a page is at most 100), issued together.
      const online = await Promise.all(
        page.map(async (r) => (await roster.countUserConnections(PRESENCE_KEY, r.id)) > 0),
      );
      const users = page.map((r, i): AdminUserListItem => {
        const u = toUser(r);
        return {
          id: u.id,
          email: u.email,
          displayName: u.displayName,
          role: u.role,
          isGuest: u.isGuest,
          createdAt: u.createdAt,
          lastSeenAt: u.lastSeenAt,
          disabled: u.disabledAt !== null,
          disabledAt: u.disabledAt,
          online: online[i] ?? false,
        };
      });
      return { users, nextCursor };
    },
  };
}
export type UserDirectory = ReturnType<typeof createUserDirectory>;
