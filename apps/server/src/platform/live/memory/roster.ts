import type { RosterEntry } from '@parley/protocol';
import { PRESENCE_KEY } from '../presence.js';
import type { Roster, RosterCounts } from '../roster.js';

type Owned = { entry: RosterEntry; processId: string };
/** A room's entries, and how many of them each user has (kept, not counted per call). */
type Room = { entries: Map<string, Owned>; users: Map<string, number> };

/** One process's roster; in tests, two apps may share one to stand in for two processes. */
export function createMemoryRoster(): Roster {
  const rooms = new Map<string, Room>();
  const leases = new Map<string, number>();

  // Presence keeps every online user's sockets under one key: scanning a room's entries to
  // count one user's made each hello and close O(online users).
  const counts = (roomId: string, userId: string): RosterCounts => {
    const r = rooms.get(roomId);
    return { connections: r?.entries.size ?? 0, userConnections: r?.users.get(userId) ?? 0 };
  };
  const countUsers = (roomId: string) => rooms.get(roomId)?.users.size ?? 0;
  const uncount = (r: Room, userId: string) => {
    const n = (r.users.get(userId) ?? 0) - 1;
    if (n > 0) r.users.set(userId, n);
    else r.users.delete(userId);
  };
  const removeNow = (roomId: string, connectionId: string) => {
    const r = rooms.get(roomId);
    const o = r?.entries.get(connectionId);
    if (!r || !o) return undefined;
    r.entries.delete(connectionId);
    uncount(r, o.entry.userId);
    if (r.entries.size === 0) rooms.delete(roomId);
    return { entry: o.entry, counts: counts(roomId, o.entry.userId) };
  };
  const entriesOf = (roomId: string) => rooms.get(roomId)?.entries.values() ?? [];

  return {
    add(roomId, entry, processId) {
      let r = rooms.get(roomId);
      if (!r) rooms.set(roomId, (r = { entries: new Map(), users: new Map() }));
      const replaced = r.entries.get(entry.connectionId);
      if (replaced) uncount(r, replaced.entry.userId);
      r.entries.set(entry.connectionId, { entry, processId });
      r.users.set(entry.userId, (r.users.get(entry.userId) ?? 0) + 1);
      return Promise.resolve(counts(roomId, entry.userId));
    },
    remove(roomId, connectionId, processId) {
      const owner = rooms.get(roomId)?.entries.get(connectionId)?.processId;
      if (processId !== undefined && owner !== processId) return Promise.resolve(undefined);
      return Promise.resolve(removeNow(roomId, connectionId));
    },
    list: (roomId) => Promise.resolve([...entriesOf(roomId)].map((o) => o.entry)),
    get: (roomId, connectionId) =>
      Promise.resolve(rooms.get(roomId)?.entries.get(connectionId)?.entry),
    update(roomId, connectionId, patch) {
      const o = rooms.get(roomId)?.entries.get(connectionId);
      if (!o) return Promise.resolve(undefined);
      o.entry = { ...o.entry, ...patch };
      return Promise.resolve(o.entry);
    },
    setRoleForUser(roomId, userId, role) {
      const changed: RosterEntry[] = [];
      for (const o of entriesOf(roomId)) {
        if (o.entry.userId === userId && o.entry.role !== role) {
          o.entry = { ...o.entry, role };
          changed.push(o.entry);
        }
      }
      return Promise.resolve(changed);
    },
    countUsers: (roomId) => Promise.resolve(countUsers(roomId)),
    countUserConnections: (roomId, userId) =>
      Promise.resolve(counts(roomId, userId).userConnections),
    countUsersOfRooms: (roomIds) => Promise.resolve(roomIds.map(countUsers)),
    countConnectionsOfUsers: (roomId, userIds) =>
      Promise.resolve(userIds.map((userId) => counts(roomId, userId).userConnections)),
    clear(roomId) {
      rooms.delete(roomId);
      return Promise.resolve();
    },
    heartbeat(processId, until) {
      const had = leases.has(processId);
      leases.set(processId, until);
      return Promise.resolve(had);
    },
    sweep(now, self) {
      const gone: { roomId: string; entry: RosterEntry; counts: RosterCounts }[] = [];
      for (const [roomId, r] of [...rooms]) {
        for (const [connectionId, o] of [...r.entries]) {
          // An owner that never heartbeat has no lease yet: it is starting, not dead.
          const lease = leases.get(o.processId);
          if (lease === undefined || lease >= now || o.processId === self) continue;
          const removed = removeNow(roomId, connectionId);
          if (removed) gone.push({ roomId, ...removed });
        }
      }
      for (const [p, until] of leases) if (until < now && p !== self) leases.delete(p);
      return Promise.resolve(gone);
    },
    totals() {
      const t = { rooms: 0, participants: 0, usersOnline: 0 };
      for (const [roomId, r] of rooms) {
        const users = r.users.size;
        if (roomId === PRESENCE_KEY) {
          t.usersOnline = users;
        } else {
          t.rooms++;
          t.participants += users;
        }
      }
      return Promise.resolve(t);
    },
  };
}
