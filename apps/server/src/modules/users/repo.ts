import { searchKey } from '../../platform/search-key.js';
import { randomUUID } from 'node:crypto';
import type { Role, User } from '@parley/protocol';
import type { Db } from '../../platform/db/database.js';
import { fromBool, toBool } from '../../platform/db/database.js';
import type { UsersTable } from '../../platform/db/schema.js';

/** A user as services see it: the public fields plus what auth needs. */
export type UserRecord = User & { passwordHash: string | null; disabledAt: string | null };

export type NewUser = {
  id: string;
  email: string | null;
  passwordHash: string | null;
  displayName: string;
  role: Role;
  isGuest: boolean;
  createdAt: string;
};

export function toUser(r: UsersTable): UserRecord {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    isGuest: toBool(r.is_guest),
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    passwordHash: r.password_hash,
    disabledAt: r.disabled_at,
  };
}

/** The public view of a user: never the hash or the disabled flag. */
export function publicUser(u: UserRecord): User {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    isGuest: u.isGuest,
    createdAt: u.createdAt,
    lastSeenAt: u.lastSeenAt,
  };
}

export function createUsersRepo(db: Db) {
  /** Throws a unique violation (see isUniqueViolation) when the email exists. */
  async function insert(u: NewUser): Promise<UserRecord> {
    const row: UsersTable = {
      id: u.id,
      email: u.email,
      password_hash: u.passwordHash,
      display_name: u.displayName,
      search_name: searchKey(u.displayName),
      do_not_disturb: 0,
      role: u.role,
      is_guest: fromBool(u.isGuest),
      disabled_at: null,
      created_at: u.createdAt,
      last_seen_at: null,
    };
    await db.insertInto('users').values(row).execute();
    return toUser(row);
  }

  return {
    insert,
    /** A guest: a display name and nothing else (no email, no password, the member role). */
    async insertGuest(displayName: string, at: string): Promise<UserRecord> {
      return insert({
        id: randomUUID(),
        email: null,
        passwordHash: null,
        displayName,
        role: 'member',
        isGuest: true,
        createdAt: at,
      });
    },
    async findById(id: string): Promise<UserRecord | undefined> {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    /** `email` must already be normalised (lower-cased). */
    async findByEmail(email: string): Promise<UserRecord | undefined> {
      const r = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirst();
      return r && toUser(r);
    },
    async touchLastSeen(id: string, at: string): Promise<void> {
      await db.updateTable('users').set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    async setRole(id: string, role: Role): Promise<void> {
      await db.updateTable('users').set({ role }).where('id', '=', id).execute();
    },
    async setPassword(id: string, passwordHash: string): Promise<void> {
      await db
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', id)
        .execute();
    },
    /**
     * Swaps the hash only if it is still `from`: a rehash at sign-in must never write back
     * a password that was changed meanwhile. False when it was.
     */
    async replacePasswordHash(id: string, from: string, to: string): Promise<boolean> {
      const res = await db
        .updateTable('users')
        .set({ password_hash: to })
        .where('id', '=', id)
        .where('password_hash', '=', from)
        .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },
    async setDisabled(id: string, at: string | null): Promise<void> {
      await db.updateTable('users').set({ disabled_at: at }).where('id', '=', id).execute();
    },
    /** Role and disabled flag in one statement (the admin PATCH). */
    async update(id: string, change: { role?: Role; disabledAt?: string | null }): Promise<void> {
      const set: Partial<Pick<UsersTable, 'role' | 'disabled_at'>> = {};
      if (change.role !== undefined) set.role = change.role;
      if (change.disabledAt !== undefined) set.disabled_at = change.disabledAt;
      if (Object.keys(set).length === 0) return;
      await db.updateTable('users').set(set).where('id', '=', id).execute();
    },
  };
}
export type UsersRepo = ReturnType<typeof createUsersRepo>;
