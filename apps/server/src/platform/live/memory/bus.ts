import type { Bus, DomainEvent, DomainEventType, Envelope } from '../bus.js';
import { addressing } from '../bus.js';

type AnyHandler = (event: DomainEvent) => void | Promise<void>;

/** One process: delivery is a synchronous call into the socket layer's handler. */
export function createMemoryBus(onHandlerError: (err: unknown) => void = () => {}): Bus {
  const subscribers = new Set<(e: Envelope) => void>();
  const listeners = new Map<DomainEventType, Set<AnyHandler>>();
  const publish = (e: Envelope): Promise<void> => {
    for (const h of subscribers) h(e);
    return Promise.resolve();
  };
  return {
    ...addressing(publish),
    subscribe(handler) {
      subscribers.add(handler);
      return () => subscribers.delete(handler);
    },
    async emit(event) {
      // A copy: a handler that unsubscribes must not skip its neighbour.
      for (const h of [...(listeners.get(event.type) ?? [])]) {
        try {
          await h(event);
        } catch (err) {
          onHandlerError(err);
        }
      }
    },
    on(type, handler) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      const h = handler as AnyHandler;
      set.add(h);
      return () => set.delete(h);
    },
    ping: () => Promise.resolve(),
    close() {
      subscribers.clear();
      listeners.clear();
      return Promise.resolve();
    },
  };
}
