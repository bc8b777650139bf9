/**
 * Mutual exclusion per key across every process that shares the live state (here: one
 * room's membership changes). A lock is held at most `ttlMs`, so a process that dies
 * holding one cannot block the key for ever; tasks must finish well inside it.
 */
export interface Locks {
  run<T>(key: string, task: () => Promise<T>, opts?: { ttlMs?: number }): Promise<T>;
}
