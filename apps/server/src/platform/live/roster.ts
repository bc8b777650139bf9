import type { ParticipantRole, RosterEntry } from '@parley/protocol';

/**
 * Who is connected to which room's call right now: one entry per connection (a user
 * with two tabs has two). Live state, not history: the database says who may be in a
 * room, the roster says who is. Every entry belongs to the process that holds its
 * socket; a process renews its lease with `heartbeat`, and `sweep` takes out the
 * entries of processes that stopped (a crash, a kill -9), so their rooms empty.
 */
export interface Roster {
  /** Adds (or replaces) the connection's entry, owned by `processId`. */
  add(roomId: string, entry: RosterEntry, processId: string): Promise<RosterCounts>;
  /**
   * Removes the entry; undefined when it was not there (someone else removed it first),
   * or when `processId` is given and another process owns it (it was resumed there).
   */
  remove(
    roomId: string,
    connectionId: string,
    processId?: string,
  ): Promise<{ entry: RosterEntry; counts: RosterCounts } | undefined>;
  list(roomId: string): Promise<RosterEntry[]>;
  get(roomId: string, connectionId: string): Promise<RosterEntry | undefined>;
  /** Applies the patch; returns the updated entry or undefined. */
  update(
    roomId: string,
    connectionId: string,
    patch: Partial<Pick<RosterEntry, 'media' | 'role' | 'handRaisedAt'>>,
  ): Promise<RosterEntry | undefined>;
  /** Sets the role on every connection of a user in the room; returns the changed entries. */
  setRoleForUser(roomId: string, userId: string, role: ParticipantRole): Promise<RosterEntry[]>;
  /** Distinct users connected to the room. */
  countUsers(roomId: string): Promise<number>;
  /** Connections of one user in the room. */
  countUserConnections(roomId: string, userId: string): Promise<number>;
  /** `countUsers` of each room, in the order given, in one read (a page of rooms). */
  countUsersOfRooms(roomIds: readonly string[]): Promise<number[]>;
  /** `countUserConnections` of each user, in the order given, in one read (a page of people). */
  countConnectionsOfUsers(roomId: string, userIds: readonly string[]): Promise<number[]>;
  /** Drops the room's entries (room closed). */
  clear(roomId: string): Promise<void>;
  /**
   * Keeps this process's entries alive until `until` (ms since the epoch). False when
   * the process held no lease: its first heartbeat, or it was swept (it looked dead to
   * the others, so its entries are gone and its clients must resync).
   */
  heartbeat(processId: string, until: number): Promise<boolean>;
  /**
   * Removes every entry of a process whose lease ended before `now`; each is returned
   * once. `self` (the sweeping process) is never swept: a process that stalled past its
   * own lease is alive, and learns from the others (`heartbeat` false) if they swept it.
   */
  sweep(
    now: number,
    self?: string,
  ): Promise<{ roomId: string; entry: RosterEntry; counts: RosterCounts }[]>;
  /**
   * The whole deployment at a glance (metrics, the admin overview): rooms with anyone
   * connected, the people in them (distinct users per room, summed) and the users online
   * (presence). Redis counts the entries of processes holding a lease; a process is
   * leased from its first upkeep tick, before any socket joins.
   */
  totals(): Promise<RosterTotals>;
}

export type RosterTotals = { rooms: number; participants: number; usersOnline: number };

/** The room after a change: connections, and connections of the entry's user. */
export type RosterCounts = { connections: number; userConnections: number };
