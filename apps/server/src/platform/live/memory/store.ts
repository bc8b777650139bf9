import type { LiveStore } from '../store.js';

export function createMemoryStore<T>(): LiveStore<T> {
  const values = new Map<string, T>();
  return {
    get: (key) => Promise.resolve(values.get(key)),
    update(key, initial, change) {
      // Synchronous read-modify-write: nothing else runs in between in one process.
      // A throw from `change` rejects before anything is stored.
      return new Promise((resolve) => {
        const next = change(values.get(key) ?? initial);
        values.set(key, next);
        resolve(next);
      });
    },
    delete(key) {
      values.delete(key);
      return Promise.resolve();
    },
    size: () => Promise.resolve(values.size),
  };
}
