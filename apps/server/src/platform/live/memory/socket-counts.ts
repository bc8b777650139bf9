import type { SocketCounts } from '../socket-counts.js';

/** One process's counts; in tests, two apps may share one to stand in for two processes. */
export function createMemorySocketCounts(): SocketCounts {
  /** key → socket id → owning process */
  const keys = new Map<string, Map<string, string>>();
  const leases = new Map<string, number>();

  const dropOwnedBy = (dead: (processId: string) => boolean): number => {
    let dropped = 0;
    for (const [key, ids] of keys) {
      for (const [id, owner] of ids) {
        if (!dead(owner)) continue;
        ids.delete(id);
        dropped++;
      }
      if (ids.size === 0) keys.delete(key);
    }
    return dropped;
  };

  return {
    take(key, id, processId, limit) {
      let ids = keys.get(key);
      if (ids?.has(id)) return Promise.resolve(true);
      if ((ids?.size ?? 0) >= limit) return Promise.resolve(false);
      if (!ids) keys.set(key, (ids = new Map<string, string>()));
      ids.set(id, processId);
      return Promise.resolve(true);
    },
    release(key, id) {
      const ids = keys.get(key);
      ids?.delete(id);
      if (ids?.size === 0) keys.delete(key);
      return Promise.resolve();
    },
    count: (key) => Promise.resolve(keys.get(key)?.size ?? 0),
    heartbeat(processId, until) {
      const had = leases.has(processId);
      leases.set(processId, until);
      return Promise.resolve(had);
    },
    sweep(now, self) {
      const dead = new Set<string>();
      for (const [p, until] of leases) if (until < now && p !== self) dead.add(p);
      for (const p of dead) leases.delete(p);
      // An owner that never heartbeat has no lease yet: it is starting, not dead.
      return Promise.resolve(dead.size === 0 ? 0 : dropOwnedBy((p) => dead.has(p)));
    },
    drop(processId) {
      leases.delete(processId);
      dropOwnedBy((p) => p === processId);
      return Promise.resolve();
    },
  };
}
