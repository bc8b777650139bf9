import type { AdminUserListItem, AdminUsersPage, AdminUsersQuery, User } from '@parley/protocol';
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { isAdmin } from '../../platform/auth/hook.js';
import { Errors } from '../../platform/errors.js';
import { keysetFrom, keysetPage, pastKeyset } from '../../platform/keyset-cursor.js';
import type { Roster } from '../../platform/live/index.js';
import { PRESENCE_KEY } from '../../platform/live/presence.js';
import { escapeLike, searchKey } from '../../platform/search-key.js';
import { toUser } from './repo.js';
import { normalizeEmail } from './service.js';

export type UserDirectoryDeps = {
  db: Db;
  /** Online now = at least one presence entry (platform/live/presence.ts), on any process. */
  roster: Pick<Roster, 'countConnectionsOfUsers'>;
  clock: Clock;
};

/**
 * The admins' list of accounts: newest first, narrowed by the start of a name or an email
 * address, role, disabled or not, guests or not. Unlike the members' search (contacts),
 * it lists everyone, emails included: admins run the server.
 */
export function createUserDirectory(deps: UserDirectoryDeps) {
  const { db, roster, clock } = deps;

  return {
    async list(actor: User, query: AdminUsersQuery): Promise<AdminUsersPage> {
      if (!isAdmin(actor)) throw Errors.forbidden();
      const after = keysetFrom(query.cursor);
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
      if (after) select = select.where(pastKeyset(['created_at', 'id'], after));
      const rows = await select
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();

      const { page, nextCursor } = keysetPage(rows, query.limit);
      // The presence of every listed account in one roster read.
      const connections = await roster.countConnectionsOfUsers(
        PRESENCE_KEY,
        page.map((r) => r.id),
      );
      const online = connections.map((n) => n > 0);
      const now = clock.now().toISOString();
      const users = page.map((r, i): AdminUserListItem => {
        const u = toUser(r);
        return {
          id: u.id,
          email: u.email,
          displayName: u.displayName,
          role: u.role,
          isGuest: u.isGuest,
          createdAt: u.createdAt,
          // Someone online is seen now; the column is written when they go offline.
          lastSeenAt: online[i] ? now : u.lastSeenAt,
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
