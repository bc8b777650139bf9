import type { ParticipantRole, RosterEntry } from '@parley/protocol';

/**
 * Who is connected to which room's call right now: one entry per connection (a user
 * with two tabs has two). Live state, not history: the database says who may be in a
 * room, the roster says who is. In memory for one process; Redis with scale-out.
 */
export interface Roster {
  /** Adds (or replaces) the connection's entry; returns how many connections the room has now. */
  add(roomId: string, entry: RosterEntry): Promise<number>;
  /** Returns the removed entry, or undefined when it was not there. */
  remove(roomId: string, connectionId: string): Promise<RosterEntry | undefined>;
  list(roomId: string): Promise<RosterEntry[]>;
  get(roomId: string, connectionId: string): Promise<RosterEntry | undefined>;
  /** Applies the patch; returns the updated entry or undefined. */
  update(
    roomId: string,
    connectionId: string,
    patch: Partial<Pick<RosterEntry, 'media' | 'role'>>,
  ): Promise<RosterEntry | undefined>;
  /** Sets the role on every connection of a user in the room; returns the changed entries. */
  setRoleForUser(roomId: string, userId: string, role: ParticipantRole): Promise<RosterEntry[]>;
  /** Distinct users connected to the room. */
  countUsers(roomId: string): Promise<number>;
  /** Drops the room's entries (room closed). */
  clear(roomId: string): Promise<void>;
}

export function createMemoryRoster(): Roster {
  const rooms = new Map<string, Map<string, RosterEntry>>();
  const room = (id: string) => rooms.get(id);
  return {
    add(roomId, entry) {
      let r = rooms.get(roomId);
      if (!r) rooms.set(roomId, (r = new Map<string, RosterEntry>()));
      r.set(entry.connectionId, entry);
      return Promise.resolve(r.size);
    },
    remove(roomId, connectionId) {
      const r = room(roomId);
      const e = r?.get(connectionId);
      if (r && e) {
        r.delete(connectionId);
        if (r.size === 0) rooms.delete(roomId);
      }
      return Promise.resolve(e);
    },
    list: (roomId) => Promise.resolve([...(room(roomId)?.values() ?? [])]),
    get: (roomId, connectionId) => Promise.resolve(room(roomId)?.get(connectionId)),
    update(roomId, connectionId, patch) {
      const e = room(roomId)?.get(connectionId);
      if (!e) return Promise.resolve(undefined);
      const next = { ...e, ...patch };
      room(roomId)?.set(connectionId, next);
      return Promise.resolve(next);
    },
    setRoleForUser(roomId, userId, role) {
      const changed: RosterEntry[] = [];
      const r = room(roomId);
      for (const [id, e] of r ?? []) {
        if (e.userId === userId && e.role !== role) {
          const next = { ...e, role };
          r?.set(id, next);
          changed.push(next);
        }
      }
      return Promise.resolve(changed);
    },
    countUsers: (roomId) =>
      Promise.resolve(new Set([...(room(roomId)?.values() ?? [])].map((e) => e.userId)).size),
    clear(roomId) {
      rooms.delete(roomId);
      return Promise.resolve();
    },
  };
}
