import { CONTACT_LIMITS } from '@parley/protocol';
import type { BlockedUser, Contact } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import { ContactErrors } from './errors.js';
import type { PresenceBook } from './presence.js';
import { HIDDEN_PRESENCE, byName } from './presence.js';
import type { BlockRow, ContactRow, ContactsRepo } from './repo.js';

export type BookDeps = { repo: ContactsRepo; presence: PresenceBook; clock: Clock };

/**
 * A member's address book: the people they keep (contacts) and the people they shut out
 * (blocks). Contacts are one-way: adding someone asks nothing of them. A block hides the
 * blocker's presence from the blocked person and stops their calls (the calls module asks
 * `hasBlocked`); it leaves both address books as they are.
 */
export function createContactBook(deps: BookDeps) {
  const { repo, presence, clock } = deps;

  async function toContact(row: ContactRow): Promise<Contact> {
    return {
      user: { id: row.id, displayName: row.displayName },
      presence: row.blockedMe
        ? HIDDEN_PRESENCE
        : presence.view(row, await presence.isOnline(row.id)),
      addedAt: row.addedAt,
    };
  }

  return {
    /** Online first, then by name. */
    list: async (ownerId: string): Promise<Contact[]> => {
      const contacts = await Promise.all((await repo.contactsOf(ownerId)).map(toContact));
      return contacts.sort(
        (a, b) => Number(b.presence.online) - Number(a.presence.online) || byName(a.user, b.user),
      );
    },

    /** `created` false: they were a contact already (nothing changed). */
    add: async (
      ownerId: string,
      userId: string,
    ): Promise<{ contact: Contact; created: boolean }> => {
      if (userId === ownerId) throw ContactErrors.cannotTargetSelf('add');
      const person = await repo.findPerson(userId);
      if (!person || person.isGuest || person.disabled) throw ContactErrors.userNotFound();
      const existing = await repo.contact(ownerId, userId);
      if (existing) return { contact: await toContact(existing), created: false };
      // Counted before the insert: two adds at once may pass one over the limit, which
      // bounds nothing important (the limit keeps lists and fan-out reasonable).
      if ((await repo.countContacts(ownerId)) >= CONTACT_LIMITS.maxContacts) {
        throw ContactErrors.tooManyContacts();
      }
      const created = await repo.addContact(ownerId, userId, clock.now().toISOString());
      const row = await repo.contact(ownerId, userId);
      // Removed by a concurrent DELETE between the two statements: as if it never was.
      if (!row) throw ContactErrors.notAContact();
      return { contact: await toContact(row), created };
    },

    remove: async (ownerId: string, userId: string): Promise<void> => {
      if (!(await repo.removeContact(ownerId, userId))) throw ContactErrors.notAContact();
    },

    blocks: async (ownerId: string): Promise<BlockedUser[]> => {
      return (await repo.blocksOf(ownerId)).map(toBlocked);
    },

    /**
     * Blocks a member (a disabled one too: they may come back). The blocked person, if
     * they have the blocker as a contact, sees them go offline at once.
     */
    block: async (
      ownerId: string,
      userId: string,
    ): Promise<{ block: BlockedUser; created: boolean }> => {
      if (userId === ownerId) throw ContactErrors.cannotTargetSelf('block');
      const person = await repo.findPerson(userId);
      if (!person || person.isGuest) throw ContactErrors.userNotFound();
      const created = await repo.addBlock(ownerId, userId, clock.now().toISOString());
      const row = await repo.block(ownerId, userId);
      if (!row) throw ContactErrors.notBlocked();
      if (created) await presence.tell(userId, ownerId);
      return { block: toBlocked(row), created };
    },

    /** The formerly blocked person sees the owner's real presence again. */
    unblock: async (ownerId: string, userId: string): Promise<void> => {
      if (!(await repo.removeBlock(ownerId, userId))) throw ContactErrors.notBlocked();
      await presence.tell(userId, ownerId);
    },
  };
}

function toBlocked(row: BlockRow): BlockedUser {
  return { user: { id: row.id, displayName: row.displayName }, blockedAt: row.blockedAt };
}
