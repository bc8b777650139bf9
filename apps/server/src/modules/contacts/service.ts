import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { Bus, Locks, RateLimiter, Roster } from '../../platform/live/index.js';
import { createContactBook } from './book.js';
import { createPresenceBook } from './presence.js';
import { createContactsRepo } from './repo.js';
import { createUserSearch } from './search.js';

export type ContactsServiceDeps = {
  db: Db;
  bus: Pick<Bus, 'toUser'>;
  /** Presence is read from the roster's presence entries (see platform/live/presence.ts). */
  roster: Pick<Roster, 'countUserConnections' | 'list'>;
  /** The per-user presence lock, shared with the socket layer (presenceLock). */
  locks: Locks;
  clock: Clock;
  /** User search, per user. */
  searchLimiter: RateLimiter;
};

/**
 * Contacts, blocks, user search, "do not disturb" and presence. Every method takes the
 * caller's id; the routes have already checked they are a member (or an admin).
 */
export function createContactsService(deps: ContactsServiceDeps) {
  const repo = createContactsRepo(deps.db);
  const presence = createPresenceBook({ ...deps, repo });
  const book = createContactBook({ repo, presence, clock: deps.clock });
  return {
    /** What the socket layer reports online and offline transitions to. */
    presence: presence.reporter,
    /** True when `ownerId` has blocked `otherId` (calls refuse `otherId`'s calls). */
    hasBlocked: (ownerId: string, otherId: string) => repo.hasBlocked(ownerId, otherId),
    /** Calls to this user are answered busy at once. */
    doNotDisturb: (userId: string) => repo.doNotDisturb(userId),

    contacts: book.list,
    addContact: book.add,
    removeContact: book.remove,
    blocks: book.blocks,
    block: book.block,
    unblock: book.unblock,
    search: createUserSearch({ repo, limiter: deps.searchLimiter }),
    presenceSettings: presence.settings,
    setDoNotDisturb: presence.setDoNotDisturb,
    onlineUsers: presence.onlineUsers,
  };
}
export type ContactsService = ReturnType<typeof createContactsService>;
