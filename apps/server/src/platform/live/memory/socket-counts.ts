import type { SocketCounts } from '../socket-counts.js';

/**
 * The sockets counted under one key, each with its owning process. Most keys (an
 * account's) hold one socket, kept as a pair; a Map is made for a second one (a Map per
 * key cost ~200 bytes per open socket).
 */
type Holders = { id: string; owner: string } | Map<string, string>;

const sizeOf = (held: Holders | undefined): number =>
  held === undefined ? 0 : held instanceof Map ? held.size : 1;

/** One process's counts; in tests, two apps may share one to stand in for two processes. */
export function createMemorySocketCounts(): SocketCounts {
  /** key → the sockets counted there and their owners */
  const keys = new Map<string, Holders>();
  const leases = new Map<string, number>();

  const dropOwnedBy = (dead: (processId: string) => boolean): number => {
    let dropped = 0;
    for (const [key, held] of keys) {
      if (!(held instanceof Map)) {
        if (!dead(held.owner)) continue;
        keys.delete(key);
        dropped++;
        continue;
      }
      for (const [id, owner] of held) {
        if (!dead(owner)) continue;
        held.delete(id);
        dropped++;
      }
      if (held.size === 0) keys.delete(key);
    }
    return dropped;
  };

  return {
    take(key, id, processId, limit) {
      const held = keys.get(key);
      if (held instanceof Map ? held.has(id) : held?.id === id) return Promise.resolve(true);
      if (sizeOf(held) >= limit) return Promise.resolve(false);
      if (held === undefined) keys.set(key, { id, owner: processId });
      else if (held instanceof Map) held.set(id, processId);
      else {
        keys.set(
          key,
          new Map([
            [held.id, held.owner],
            [id, processId],
          ]),
        );
      }
      return Promise.resolve(true);
    },
    release(key, id) {
      const held = keys.get(key);
      if (held instanceof Map) {
        held.delete(id);
        if (held.size === 0) keys.delete(key);
        // Back to a pair when one is left (the loop runs once).
        else if (held.size === 1)
          for (const [one, owner] of held) keys.set(key, { id: one, owner });
      } else if (held?.id === id) keys.delete(key);
      return Promise.resolve();
    },
    count: (key) => Promise.resolve(sizeOf(keys.get(key))),
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
