/**
 * Runs tasks one at a time per key (here: per room), so a join's "may enter?" check and
 * its roster write are not interleaved with another join or leave of the same room in
 * this process. Tasks never wait on each other across keys, so there is no deadlock as
 * long as a task does not take a second key's lock.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
