import type {
  OnlineUsersResponse,
  Presence,
  PresenceSettings,
  ServerMessageOf,
} from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import type { Bus, Locks, Roster } from '../../platform/live/index.js';
import { PRESENCE_KEY, presenceLock } from '../../platform/live/presence.js';
import type { UserPresence } from '../signaling/index.js';
import type { ContactsRepo, PersonRow } from './repo.js';

/** What someone who was blocked sees: nobody there, never there, nothing to say. */
export const HIDDEN_PRESENCE: Presence = { online: false, lastSeenAt: null, doNotDisturb: false };

export type PresenceDeps = {
  repo: ContactsRepo;
  bus: Pick<Bus, 'toUser'>;
  /** Presence is read from the roster's presence entries (platform/live/presence.ts). */
  roster: Pick<Roster, 'countUserConnections' | 'list'>;
  locks: Locks;
  clock: Clock;
};

export type PresenceBook = ReturnType<typeof createPresenceBook>;

/**
 * Presence as contacts see it. The socket layer decides who is online (it holds the
 * roster entries) and tells `reporter`; this side keeps `last_seen_at` and sends
 * `presence.changed` to everyone who has the person as a contact and was not blocked
 * by them. `last_seen_at` is written when someone goes offline (and at sign-in), not when
 * they come online: someone online is seen now, so that is what they show. A restart
 * reconnects everyone at once, and a write per first socket made that storm write too.
 * "Do not disturb" and blocks change what contacts see too, so they announce through the
 * same path, under the same per-user lock as the socket layer's changes.
 */
export function createPresenceBook(deps: PresenceDeps) {
  const { repo, bus, roster, locks, clock } = deps;

  const isOnline = async (userId: string) =>
    (await roster.countUserConnections(PRESENCE_KEY, userId)) > 0;

  const view = (p: PersonRow, online: boolean): Presence => ({
    online,
    lastSeenAt: online ? clock.now().toISOString() : p.lastSeenAt,
    doNotDisturb: p.doNotDisturb,
  });

  const message = (userId: string, presence: Presence): ServerMessageOf<'presence.changed'> => ({
    type: 'presence.changed',
    userId,
    presence,
  });

  /** Tells everyone allowed to know; `online` when the caller knows it, else the roster says. */
  async function announce(userId: string, online?: boolean): Promise<void> {
    // Who would hear it first: with nobody to tell, the person is not read at all.
    const audience = await repo.audience(userId);
    if (audience.length === 0) return;
    const person = await repo.findPerson(userId);
    if (!person || person.isGuest) return;
    const msg = message(userId, view(person, online ?? (await isOnline(userId))));
    // Issued together (Redis pipelines them); awaited, so the next notice comes after.
    await Promise.all(audience.map((owner) => bus.toUser(owner, msg)));
  }

  const reporter: UserPresence = {
    // Called by the socket layer under presenceLock(userId): never take it again here.
    async online(userId) {
      await announce(userId, true);
    },
    async offline(userId, at) {
      await repo.setLastSeen(userId, at.toISOString());
      await announce(userId, false);
    },
  };

  return {
    reporter,
    isOnline,
    view,

    /**
     * A block between them changed: `viewerId` (if they have `subjectId` as a contact)
     * hears what they may now see of the subject.
     */
    tell: (viewerId: string, subjectId: string): Promise<void> => {
      return locks.run(presenceLock(subjectId), async () => {
        if (!(await repo.isContact(viewerId, subjectId))) return;
        const subject = await repo.findPerson(subjectId);
        if (!subject) return;
        const presence = (await repo.hasBlocked(subjectId, viewerId))
          ? HIDDEN_PRESENCE
          : view(subject, await isOnline(subjectId));
        await bus.toUser(viewerId, message(subjectId, presence));
      });
    },

    settings: async (userId: string): Promise<PresenceSettings> => {
      return { doNotDisturb: await repo.doNotDisturb(userId) };
    },

    /** A change is announced; setting what is already set tells nobody. */
    setDoNotDisturb: async (userId: string, on: boolean): Promise<PresenceSettings> => {
      await locks.run(presenceLock(userId), async () => {
        if (await repo.setDoNotDisturb(userId, on)) await announce(userId);
      });
      return { doNotDisturb: on };
    },

    /** Everyone online now with their open sockets, by name (admins). */
    onlineUsers: async (): Promise<OnlineUsersResponse['users']> => {
      const connections = new Map<string, number>();
      for (const e of await roster.list(PRESENCE_KEY)) {
        connections.set(e.userId, (connections.get(e.userId) ?? 0) + 1);
      }
      const people = await repo.peopleByIds([...connections.keys()]);
      return people
        .map((p) => ({
          id: p.id,
          displayName: p.displayName,
          role: p.role,
          connections: connections.get(p.id) ?? 1,
          doNotDisturb: p.doNotDisturb,
        }))
        .sort((a, b) => byName(a, b));
    },
  };
}

/** Case-insensitive by name, then by id so equal names keep one order. */
export function byName(
  a: { displayName: string; id: string },
  b: { displayName: string; id: string },
): number {
  return (
    a.displayName.localeCompare(b.displayName, undefined, { sensitivity: 'base' }) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
