import type { ClientMessage, ServerMessageOf, ServerMessageType } from '@parley/protocol';

/** What chat and watch-together need of the call's SignalingClient (which satisfies it). */
export interface RoomSocket {
  readonly userId: string | undefined;
  on<T extends ServerMessageType>(type: T, fn: (msg: ServerMessageOf<T>) => void): () => void;
  send(msg: ClientMessage): boolean;
}

let refCounter = 0;
/** A fresh `ref` for a client message, so its error or echo can be matched. */
export function nextRef(prefix: string): string {
  refCounter += 1;
  return `${prefix}${refCounter.toString(36)}`;
}
