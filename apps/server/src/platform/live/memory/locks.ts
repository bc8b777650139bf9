import type { Locks } from '../locks.js';

/**
 * One process: tasks per key run one after another, in arrival order. Tasks never wait
 * on each other across keys, so there is no deadlock as long as a task does not take a
 * second key's lock. (No ttl is needed: a process that dies takes its waiters with it.)
 */
export function createMemoryLocks(): Locks {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
