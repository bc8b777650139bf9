/**
 * Small shared documents by key (a room's player state). `update` is one atomic
 * read-modify-write: no other update of the same key interleaves (Redis: a Lua
 * compare-and-set), and a `change` that throws stores nothing.
 */
export interface LiveStore<T> {
  get(key: string): Promise<T | undefined>;
  update(key: string, initial: T, change: (current: T) => T): Promise<T>;
  delete(key: string): Promise<void>;
  /** Keys with a stored value (tests and metrics). */
  size(): Promise<number>;
}
