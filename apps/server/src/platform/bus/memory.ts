import type { Bus, BusHandler, BusTarget } from './bus.js';

export function createMemoryBus(): Bus {
  const handlers = new Set<BusHandler>();
  const publish = (target: BusTarget, message: unknown): Promise<void> => {
    const payload = JSON.stringify(message);
    const type = messageType(message);
    for (const h of handlers) h(target, payload, type);
    return Promise.resolve();
  };
  return {
    toRoom: (roomId, message, opts) =>
      publish(
        {
          kind: 'room',
          roomId,
          ...(opts?.exceptConnectionId ? { exceptConnectionId: opts.exceptConnectionId } : {}),
        },
        message,
      ),
    toUser: (userId, message) => publish({ kind: 'user', userId }, message),
    toConnection: (connectionId, message) => publish({ kind: 'connection', connectionId }, message),
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    ping: () => Promise.resolve(),
    close() {
      handlers.clear();
      return Promise.resolve();
    },
  };
}

function messageType(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('type' in message)) return undefined;
  return typeof message.type === 'string' ? message.type : undefined;
}
