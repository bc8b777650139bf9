import type { Deadlines } from '../deadlines.js';

export function createMemoryDeadlines(): Deadlines {
  const due = new Map<string, number>();
  return {
    set(key, at) {
      due.set(key, at);
      return Promise.resolve();
    },
    cancel(key) {
      due.delete(key);
      return Promise.resolve();
    },
    cancelPrefix(prefix) {
      for (const key of [...due.keys()]) if (key.startsWith(prefix)) due.delete(key);
      return Promise.resolve();
    },
    takeDue(now, limit) {
      const taken: string[] = [];
      for (const [key, at] of due) {
        if (taken.length >= limit) break;
        if (at <= now) taken.push(key);
      }
      for (const key of taken) due.delete(key);
      return Promise.resolve(taken);
    },
    get: (key) => Promise.resolve(due.get(key)),
  };
}
