/** A tiny typed event emitter; `on` returns the function that removes the listener. */
export type Listener = (...args: never[]) => void;

export class Emitter<E extends { [K in keyof E]: Listener }> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  on<K extends keyof E>(event: K, fn: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  /** Calls every listener; one that throws does not stop the others (see callListener). */
  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) callListener(fn as (...a: Parameters<E[K]>) => void, args);
  }

  clear(): void {
    this.listeners.clear();
  }
}

/**
 * Runs a listener so that its exception cannot leave the engine half-updated (a broken
 * UI handler must not stop a join from resolving). The error is rethrown on a microtask:
 * it still reaches the console, window.onerror and a test runner.
 */
export function callListener<A extends unknown[]>(fn: (...args: A) => void, args: A): void {
  try {
    fn(...args);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
