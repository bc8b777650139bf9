/**
 * Open sockets counted per key (an address, an account) over every process: the
 * connection caps. A socket is counted by its id under a key until it is released. Like a
 * roster entry, each counted socket belongs to the process that holds it: the process
 * renews its lease with `heartbeat`, and `sweep` stops counting the sockets of processes
 * that stopped renewing (a crash, a kill -9), so their places free up within the expiry.
 * Its own leases, not the roster's: a roster sweep in another process would end a dead
 * process's lease before anyone had dropped its counts.
 */
export interface SocketCounts {
  /**
   * Counts socket `id` under `key` for `processId`, unless `limit` sockets are counted
   * there already: true when counted (an id counted already is true and changes nothing),
   * false when the key is full. Check and count are one atomic step.
   */
  take(key: string, id: string, processId: string, limit: number): Promise<boolean>;
  /** Stops counting the socket under the key; nothing when it was not counted. */
  release(key: string, id: string): Promise<void>;
  /** Sockets counted under the key now. */
  count(key: string): Promise<number>;
  /**
   * Keeps this process's counts alive until `until` (ms since the epoch). False when the
   * process held no lease: its first heartbeat, or it was swept (its counts are gone and
   * must be taken again).
   */
  heartbeat(processId: string, until: number): Promise<boolean>;
  /**
   * Stops counting every socket of a process whose lease ended before `now` and ends
   * the lease; `self` is never swept. Returns how many sockets were dropped.
   */
  sweep(now: number, self?: string): Promise<number>;
  /** A stopping process gives back every place it holds at once. */
  drop(processId: string): Promise<void>;
}
