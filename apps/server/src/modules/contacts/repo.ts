import type { Role } from '@parley/protocol';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { fromBool, toBool } from '../../platform/db/database.js';
import { prepared } from '../../platform/db/prepared.js';

/** A user as contacts, blocks and presence need them: never an email or a hash. */
export type PersonRow = {
  id: string;
  displayName: string;
  role: Role;
  isGuest: boolean;
  disabled: boolean;
  lastSeenAt: string | null;
  doNotDisturb: boolean;
};

/** One of my contacts, and whether they blocked me (then I may not see their presence). */
export type ContactRow = PersonRow & { addedAt: string; blockedMe: boolean };

export type BlockRow = { id: string; displayName: string; blockedAt: string };

export type SearchRow = {
  id: string;
  displayName: string;
  email: string | null;
  isContact: boolean;
};

const personColumns = [
  'u.id',
  'u.display_name',
  'u.role',
  'u.is_guest',
  'u.disabled_at',
  'u.last_seen_at',
  'u.do_not_disturb',
] as const;

type PersonColumns = {
  id: string;
  display_name: string;
  role: Role;
  is_guest: number;
  disabled_at: string | null;
  last_seen_at: string | null;
  do_not_disturb: number;
};

const toPerson = (r: PersonColumns): PersonRow => ({
  id: r.id,
  displayName: r.display_name,
  role: r.role,
  isGuest: toBool(r.is_guest),
  disabled: r.disabled_at !== null,
  lastSeenAt: r.last_seen_at,
  doNotDisturb: toBool(r.do_not_disturb),
});

/** `IN (…)` lists stay well under both dialects' parameter limits. */
const ID_CHUNK = 500;

/**
 * SQL for contacts (owner → contact), blocks (owner → blocked) and the presence columns
 * of `users`. Every statement is portable: the same text runs on SQLite and PostgreSQL.
 */
export function createContactsRepo(db: Db) {
  // A user's first socket reads these and writes last_seen_at: built and compiled once.
  const personById = prepared((q: Db, id: string) =>
    q.selectFrom('users as u').select(personColumns).where('u.id', '=', id),
  );
  const audienceOf = prepared((q: Db, userId: string) =>
    q
      .selectFrom('contacts as c')
      .leftJoin('blocks as b', (j) =>
        j.onRef('b.blocked_id', '=', 'c.owner_id').on('b.owner_id', '=', userId),
      )
      .select('c.owner_id')
      .where('c.contact_id', '=', userId)
      .where('b.owner_id', 'is', null),
  );
  const lastSeen = prepared((q: Db, userId: string, at: string) =>
    q.updateTable('users').set({ last_seen_at: at }).where('id', '=', userId),
  );
  /** My contacts, with the block they may have put on me (a left join, not a subquery per row). */
  const contactsQuery = (ownerId: string) =>
    db
      .selectFrom('contacts as c')
      .innerJoin('users as u', 'u.id', 'c.contact_id')
      .leftJoin('blocks as b', (j) =>
        j.onRef('b.owner_id', '=', 'c.contact_id').on('b.blocked_id', '=', ownerId),
      )
      .select([...personColumns, 'c.created_at as added_at', 'b.owner_id as blocker'])
      .where('c.owner_id', '=', ownerId);

  const toContact = (r: PersonColumns & { added_at: string; blocker: string | null }) => ({
    ...toPerson(r),
    addedAt: r.added_at,
    blockedMe: r.blocker !== null,
  });

  return {
    async findPerson(id: string): Promise<PersonRow | undefined> {
      const r = (await personById(db, id)).rows[0];
      return r && toPerson(r);
    },

    async peopleByIds(ids: readonly string[]): Promise<PersonRow[]> {
      const out: PersonRow[] = [];
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        const rows = await db
          .selectFrom('users as u')
          .select(personColumns)
          .where('u.id', 'in', ids.slice(i, i + ID_CHUNK))
          .execute();
        out.push(...rows.map(toPerson));
      }
      return out;
    },

    async contactsOf(ownerId: string): Promise<ContactRow[]> {
      return (await contactsQuery(ownerId).execute()).map(toContact);
    },

    async contact(ownerId: string, contactId: string): Promise<ContactRow | undefined> {
      const r = await contactsQuery(ownerId)
        .where('c.contact_id', '=', contactId)
        .executeTakeFirst();
      return r && toContact(r);
    },

    async countContacts(ownerId: string): Promise<number> {
      const r = await db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('owner_id', '=', ownerId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** True when added now, false when it was there already (one statement: no race). */
    async addContact(ownerId: string, contactId: string, at: string): Promise<boolean> {
      const r = await db
        .insertInto('contacts')
        .values({ owner_id: ownerId, contact_id: contactId, created_at: at })
        .onConflict((oc) => oc.columns(['owner_id', 'contact_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async removeContact(ownerId: string, contactId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('contacts')
        .where('owner_id', '=', ownerId)
        .where('contact_id', '=', contactId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async isContact(ownerId: string, contactId: string): Promise<boolean> {
      const r = await db
        .selectFrom('contacts')
        .select('owner_id')
        .where('owner_id', '=', ownerId)
        .where('contact_id', '=', contactId)
        .executeTakeFirst();
      return r !== undefined;
    },

    async blocksOf(ownerId: string): Promise<BlockRow[]> {
      const rows = await db
        .selectFrom('blocks as b')
        .innerJoin('users as u', 'u.id', 'b.blocked_id')
        .select(['u.id', 'u.display_name', 'b.created_at'])
        .where('b.owner_id', '=', ownerId)
        .orderBy('b.created_at', 'desc')
        .orderBy('u.id')
        .execute();
      return rows.map((r) => ({ id: r.id, displayName: r.display_name, blockedAt: r.created_at }));
    },

    async block(ownerId: string, blockedId: string): Promise<BlockRow | undefined> {
      const r = await db
        .selectFrom('blocks as b')
        .innerJoin('users as u', 'u.id', 'b.blocked_id')
        .select(['u.id', 'u.display_name', 'b.created_at'])
        .where('b.owner_id', '=', ownerId)
        .where('b.blocked_id', '=', blockedId)
        .executeTakeFirst();
      return r && { id: r.id, displayName: r.display_name, blockedAt: r.created_at };
    },

    async addBlock(ownerId: string, blockedId: string, at: string): Promise<boolean> {
      const r = await db
        .insertInto('blocks')
        .values({ owner_id: ownerId, blocked_id: blockedId, created_at: at })
        .onConflict((oc) => oc.columns(['owner_id', 'blocked_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async removeBlock(ownerId: string, blockedId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('blocks')
        .where('owner_id', '=', ownerId)
        .where('blocked_id', '=', blockedId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async hasBlocked(ownerId: string, otherId: string): Promise<boolean> {
      const r = await db
        .selectFrom('blocks')
        .select('owner_id')
        .where('owner_id', '=', ownerId)
        .where('blocked_id', '=', otherId)
        .executeTakeFirst();
      return r !== undefined;
    },

    /** Who may hear `userId`'s presence: everyone with them as a contact whom they did not block. */
    async audience(userId: string): Promise<string[]> {
      return (await audienceOf(db, userId)).rows.map((r) => r.owner_id);
    },

    async setLastSeen(userId: string, at: string): Promise<void> {
      await lastSeen(db, userId, at);
    },

    async doNotDisturb(userId: string): Promise<boolean> {
      const r = await db
        .selectFrom('users')
        .select('do_not_disturb')
        .where('id', '=', userId)
        .executeTakeFirst();
      return r !== undefined && toBool(r.do_not_disturb);
    },

    /** True when the setting changed (a repeated PUT changes nothing and tells nobody). */
    async setDoNotDisturb(userId: string, on: boolean): Promise<boolean> {
      const r = await db
        .updateTable('users')
        .set({ do_not_disturb: fromBool(on) })
        .where('id', '=', userId)
        .where('do_not_disturb', '!=', fromBool(on))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * Members (no guests, no disabled accounts, not the caller) whose folded display
     * name (`search_name`) matches `namePattern` (a LIKE pattern, `\` escapes) or whose email is `email`;
     * the exact email first, then by name.
     */
    async search(opts: {
      callerId: string;
      namePattern: string;
      email: string;
      limit: number;
    }): Promise<SearchRow[]> {
      const { callerId, namePattern, email, limit } = opts;
      const rows = await db
        .selectFrom('users as u')
        .leftJoin('contacts as c', (j) =>
          j.onRef('c.contact_id', '=', 'u.id').on('c.owner_id', '=', callerId),
        )
        .select(['u.id', 'u.display_name', 'u.email', 'c.contact_id as contact'])
        .where('u.is_guest', '=', 0)
        .where('u.disabled_at', 'is', null)
        .where('u.id', '!=', callerId)
        .where((eb) =>
          eb.or([
            // The folded name (see searchKey), indexed for a LIKE prefix on both dialects.
            eb('u.search_name', 'like', sql<string>`${namePattern} escape '\\'`),
            eb('u.email', '=', email),
          ]),
        )
        .orderBy(sql`case when u.email = ${email} then 0 else 1 end`)
        .orderBy('u.search_name')
        .orderBy('u.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        displayName: r.display_name,
        email: r.email,
        isContact: r.contact !== null,
      }));
    },
  };
}
export type ContactsRepo = ReturnType<typeof createContactsRepo>;
