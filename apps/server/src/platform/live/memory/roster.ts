import type { RosterEntry } from '@parley/protocol';
import { PRESENCE_KEY } from '../presence.js';
import type { Roster, RosterCounts } from '../roster.js';

type Owned = { entry: RosterEntry; processId: string };

/** One process's roster; in tests, two apps may share one to stand in for two processes. */
export function createMemoryRoster(): Roster {
  const rooms = new Map<string, Map<string, Owned>>();
  const leases = new Map<string, number>();

  const counts = (roomId: string, userId: string): RosterCounts => {
    const r = rooms.get(roomId);
    let userConnections = 0;
    for (const o of r?.values() ?? []) if (o.entry.userId === userId) userConnections++;
    return { connections: r?.size ?? 0, userConnections };
  };
  const removeNow = (roomId: string, connectionId: string) => {
    const r = rooms.get(roomId);
    const o = r?.get(connectionId);
    if (!r || !o) return undefined;
    r.delete(connectionId);
    if (r.size === 0) rooms.delete(roomId);
    return { entry: o.entry, counts: counts(roomId, o.entry.userId) };
  };

  return {
    add(roomId, entry, processId) {
      let r = rooms.get(roomId);
      if (!r) rooms.set(roomId, (r = new Map<string, Owned>()));
      r.set(entry.connectionId, { entry, processId });
      return Promise.resolve(counts(roomId, entry.userId));
    },
    remove(roomId, connectionId, processId) {
      const owner = rooms.get(roomId)?.get(connectionId)?.processId;
      if (processId !== undefined && owner !== processId) return Promise.resolve(undefined);
      return Promise.resolve(removeNow(roomId, connectionId));
    },
    list: (roomId) => Promise.resolve([...(rooms.get(roomId)?.values() ?? [])].map((o) => o.entry)),
    get: (roomId, connectionId) => Promise.resolve(rooms.get(roomId)?.get(connectionId)?.entry),
    update(roomId, connectionId, patch) {
      const o = rooms.get(roomId)?.get(connectionId);
      if (!o) return Promise.resolve(undefined);
      o.entry = { ...o.entry, ...patch };
      return Promise.resolve(o.entry);
    },
    setRoleForUser(roomId, userId, role) {
      const changed: RosterEntry[] = [];
      for (const o of rooms.get(roomId)?.values() ?? []) {
        if (o.entry.userId === userId && o.entry.role !== role) {
          o.entry = { ...o.entry, role };
          changed.push(o.entry);
        }
      }
      return Promise.resolve(changed);
    },
    countUsers: (roomId) =>
      Promise.resolve(
        new Set([...(rooms.get(roomId)?.values() ?? [])].map((o) => o.entry.userId)).size,
      ),
    countUserConnections: (roomId, userId) =>
      Promise.resolve(counts(roomId, userId).userConnections),
    countUsersOfRooms: (roomIds) =>
      Promise.resolve(
        roomIds.map(
          (roomId) =>
            new Set([...(rooms.get(roomId)?.values() ?? [])].map((o) => o.entry.userId)).size,
        ),
      ),
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
        for (const [connectionId, o] of [...r]) {
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
        const users = new Set([...r.values()].map((o) => o.entry.userId)).size;
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
