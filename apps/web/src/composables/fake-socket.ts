import type { ClientMessage, ServerMessageOf, ServerMessageType } from '@parley/protocol';
import type { RoomSocket } from './room-socket';

/** A RoomSocket for tests: records what is sent, delivers what the test emits. */
export class FakeSocket implements RoomSocket {
  userId: string | undefined;
  open = true;
  readonly sent: ClientMessage[] = [];
  private readonly listeners = new Map<string, Set<(msg: never) => void>>();

  constructor(userId?: string) {
    this.userId = userId;
  }

  on<T extends ServerMessageType>(type: T, fn: (msg: ServerMessageOf<T>) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const listener: (msg: never) => void = fn;
    set.add(listener);
    return () => set.delete(listener);
  }

  send(msg: ClientMessage): boolean {
    if (!this.open) return false;
    this.sent.push(msg);
    return true;
  }

  emit<T extends ServerMessageType>(msg: ServerMessageOf<T>): void {
    for (const fn of [...(this.listeners.get(msg.type) ?? [])])
      (fn as (m: typeof msg) => void)(msg);
  }
}
