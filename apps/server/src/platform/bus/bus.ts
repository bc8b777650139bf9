/**
 * Fan-out to connected clients. Modules never touch sockets: they address a room,
 * a user (all their tabs) or one connection, and whoever holds the sockets delivers.
 * The memory implementation serves one process; a Redis one serves many.
 */
export type BusTarget =
  | { kind: 'room'; roomId: string; exceptConnectionId?: string }
  | { kind: 'user'; userId: string }
  | { kind: 'connection'; connectionId: string };

/**
 * `type` is the message's `type`, taken before serializing, so the socket layer can
 * recognise the few messages it acts on (kick, room closed) without parsing every payload.
 */
export type BusHandler = (target: BusTarget, payload: string, type: string | undefined) => void;

export interface Bus {
  /** `message` is serialized once here and the same string reaches every socket. */
  toRoom(roomId: string, message: unknown, opts?: { exceptConnectionId?: string }): Promise<void>;
  toUser(userId: string, message: unknown): Promise<void>;
  toConnection(connectionId: string, message: unknown): Promise<void>;
  /** The socket layer subscribes once per process. Returns an unsubscribe. */
  subscribe(handler: BusHandler): () => void;
  ping(): Promise<void>;
  close(): Promise<void>;
}
