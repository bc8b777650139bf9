import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { Bus, Deadlines } from '../../platform/live/index.js';
import type { AuditLog } from '../../platform/audit.js';
import type { Metrics } from '../../platform/metrics.js';
import type { SettingsReader } from '../../platform/settings.js';
import type { RequestContext } from '../../platform/request-context.js';

// What the calls module needs from the rest of the server, defined here so no other
// module is imported (app.ts passes the implementations: users + contacts, rooms).

/** What calls need to know about people (users and contacts modules implement it). */
export type CallPeople = {
  /** A user by id with what calling needs; undefined when there is no such (enabled) user. */
  find(userId: string): Promise<{ id: string; displayName: string; isGuest: boolean } | undefined>;
  /** True when `ownerId` has blocked `otherId`. */
  hasBlocked(ownerId: string, otherId: string): Promise<boolean>;
  doNotDisturb(userId: string): Promise<boolean>;
};

/** A direct room's state as the reaper needs it. */
export type CallRoomOccupancy = {
  roomId: string;
  status: 'open' | 'closed';
  /** Since when nobody has been connected to its call; null while someone is (and once closed). */
  emptySince: string | null;
  closedAt: string | null;
};

/** What calls need from the rooms module (its service's `direct` implements it). */
export type CallRooms = {
  /**
   * Creates the call's private room inside `trx` with both parties seated; nobody else
   * can find or enter it. A code collision throws a unique violation (retry the transaction).
   */
  open(
    trx: Transaction<Database>,
    room: { callerId: string; calleeId: string; name: string; at: string },
  ): Promise<{ id: string; code: string }>;
  /** Closes the room (`room.closed` to its sockets); false when it was closed already. */
  close(
    roomId: string,
    reason: 'ended' | 'expired',
    actorId: string | null,
    origin: RequestContext,
  ): Promise<boolean>;
  occupancy(roomIds: string[]): Promise<CallRoomOccupancy[]>;
};

export type CallsServiceDeps = {
  /** Calls by final status. */
  audit?: AuditLog;
  metrics?: Pick<Metrics, 'callsEnded'>;
  /** Ring timeout (live settings). */
  settings?: SettingsReader;
  db: Db;
  bus: Pick<Bus, 'toUser'>;
  clock: Clock;
  /** Ring timeouts, shared by every process: exactly one takes each. */
  ringDeadlines: Deadlines;
  people: CallPeople;
  rooms: CallRooms;
  timing: Config['calls'];
  /** A step after the commit failed (a notice, a deadline): logged, the change stands. */
  onError(err: unknown, step: string): void;
};
