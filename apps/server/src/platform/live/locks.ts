/**
 * Mutual exclusion per key across every process that shares the live state (here: one
 * room's membership changes). The holder keeps its lock alive while its task runs; a
 * process that dies holding one frees the key after at most `ttlMs` (Redis; in memory a
 * dead process takes its waiters with it).
 */
export interface Locks {
  run<T>(key: string, task: () => Promise<T>, opts?: { ttlMs?: number }): Promise<T>;
}
