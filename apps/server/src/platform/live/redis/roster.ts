import type { RosterEntry } from '@parley/protocol';
import { PRESENCE_KEY } from '../presence.js';
import type { Roster, RosterCounts } from '../roster.js';
import type { RedisConnection } from './connection.js';
import {
  hashCas,
  rosterAdd,
  rosterClear,
  rosterHeartbeat,
  rosterRemove,
  rosterSweep,
  rosterTotals,
  rosterUserCounts,
  runScript,
} from './scripts.js';

/** What one roster field holds: the owner and user beside the entry, for the scripts. */
type Stored = { p: string; u: string; e: RosterEntry };

const decode = (value: string): Stored => JSON.parse(value) as Stored;
const counts = (connections: unknown, userConnections: unknown): RosterCounts => ({
  connections: Number(connections),
  userConnections: Number(userConnections),
});

/** The roster in Redis hashes; every change that touches two keys is one Lua script. */
export function createRedisRoster(redis: RedisConnection, prefix: string): Roster {
  const roomKey = (roomId: string) => `${prefix}roster:${roomId}`;
  const usersKey = (roomId: string) => `${prefix}roster-users:${roomId}`;

  /** Read, change, compare-and-set; again when another process changed it first. */
  async function patchEntry(
    roomId: string,
    connectionId: string,
    change: (e: RosterEntry) => RosterEntry | undefined,
  ): Promise<RosterEntry | undefined> {
    for (;;) {
      const current = await redis.hGet(roomKey(roomId), connectionId);
      if (current == null) return undefined;
      const stored = decode(current);
      const next = change(stored.e);
      if (!next) return undefined;
      const value = JSON.stringify({ ...stored, e: next } satisfies Stored);
      const set = await runScript(redis, hashCas, [
        roomKey(roomId),
        connectionId,
        1,
        current,
        value,
      ]);
      if (Number(set) === 1) return next;
    }
  }

  return {
    async add(roomId, entry, processId) {
      const value = JSON.stringify({ p: processId, u: entry.userId, e: entry } satisfies Stored);
      const reply = (await runScript(redis, rosterAdd, [
        prefix,
        roomId,
        entry.connectionId,
        entry.userId,
        processId,
        value,
      ])) as [number, number];
      return counts(reply[0], reply[1]);
    },
    async remove(roomId, connectionId, processId) {
      const reply = (await runScript(redis, rosterRemove, [
        prefix,
        roomId,
        connectionId,
        processId ?? '',
      ])) as [string, number, number] | null;
      if (!reply) return undefined;
      return { entry: decode(reply[0]).e, counts: counts(reply[1], reply[2]) };
    },
    async list(roomId) {
      return (await redis.hVals(roomKey(roomId))).map((v) => decode(v).e);
    },
    async get(roomId, connectionId) {
      const v = await redis.hGet(roomKey(roomId), connectionId);
      return v == null ? undefined : decode(v).e;
    },
    update: (roomId, connectionId, patch) =>
      patchEntry(roomId, connectionId, (e) => ({ ...e, ...patch })),
    async setRoleForUser(roomId, userId, role) {
      const changed: RosterEntry[] = [];
      for (const entry of await this.list(roomId)) {
        if (entry.userId !== userId || entry.role === role) continue;
        const next = await patchEntry(roomId, entry.connectionId, (e) =>
          e.role === role ? undefined : { ...e, role },
        );
        if (next) changed.push(next);
      }
      return changed;
    },
    countUsers: (roomId) => redis.hLen(usersKey(roomId)),
    async countUserConnections(roomId, userId) {
      return Number((await redis.hGet(usersKey(roomId), userId)) ?? 0);
    },
    async countUsersOfRooms(roomIds) {
      if (roomIds.length === 0) return [];
      const reply = (await runScript(redis, rosterUserCounts, [prefix, ...roomIds])) as number[];
      return reply.map(Number);
    },
    async countConnectionsOfUsers(roomId, userIds) {
      if (userIds.length === 0) return [];
      const reply = await redis.hmGet(usersKey(roomId), [...userIds]);
      return reply.map((n) => Number(n ?? 0));
    },
    async clear(roomId) {
      await runScript(redis, rosterClear, [prefix, roomId]);
    },
    async heartbeat(processId, until) {
      return Number(await runScript(redis, rosterHeartbeat, [prefix, processId, until])) === 1;
    },
    async sweep(now, self) {
      const flat = (await runScript(redis, rosterSweep, [prefix, now, self ?? ''])) as (
        string | number
      )[];
      const gone: { roomId: string; entry: RosterEntry; counts: RosterCounts }[] = [];
      for (let i = 0; i + 3 < flat.length; i += 4) {
        gone.push({
          roomId: String(flat[i]),
          entry: decode(String(flat[i + 1])).e,
          counts: counts(flat[i + 2], flat[i + 3]),
        });
      }
      return gone;
    },
    async totals() {
      const reply = (await runScript(redis, rosterTotals, [prefix, PRESENCE_KEY])) as number[];
      return {
        rooms: Number(reply[0]),
        participants: Number(reply[1]),
        usersOnline: Number(reply[2]),
      };
    },
  };
}
