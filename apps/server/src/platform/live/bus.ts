import type { ServerMessage, User } from '@parley/protocol';

/**
 * Fan-out to connected clients and domain events between modules. Modules never touch
 * sockets: they address a room, a user (all their tabs) or one connection, and the
 * process that holds the sockets delivers. The memory implementation serves one
 * process; a Redis one serves many, so everything here must survive serialization.
 */
export type Delivery =
  | { kind: 'room'; roomId: string; exceptConnectionId?: string }
  | { kind: 'user'; userId: string }
  | { kind: 'connection'; connectionId: string };

/**
 * What must happen where a socket lives when a message reaches it, besides the write:
 * a kick or a closed room ends that socket's part in the room's call.
 */
export type SocketEffect = {
  kind: 'leave-room';
  roomId: string;
  because: 'kicked' | 'room-closed';
};

/** One published message: serialized once, the same `payload` string goes to every socket. */
export type Envelope = {
  to: Delivery;
  type: ServerMessage['type'];
  effect?: SocketEffect;
  payload: string;
};

/**
 * Facts one module states and others react to, on every process. The module that owns
 * the reaction subscribes (playback forgets a closed room; signaling closes revoked sockets).
 */
export type DomainEvent =
  | { type: 'room.closed'; roomId: string; reason: 'ended' | 'expired' }
  /** A sign-in session ended: logout, or a reused refresh token revoked its family. */
  | { type: 'session.revoked'; userId: string; sessionId: string; reason: 'logout' | 'reuse' }
  /** The account may no longer sign in; every socket of the user closes. */
  | { type: 'user.disabled'; userId: string }
  /** The account changed (role, name); open sockets take the new view. */
  | { type: 'user.updated'; user: User }
  /** An admin saved the system settings; every process reloads them from the database. */
  | { type: 'settings.changed' };

export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

export interface Bus {
  toRoom(
    roomId: string,
    message: ServerMessage,
    opts?: { exceptConnectionId?: string },
  ): Promise<void>;
  toUser(userId: string, message: ServerMessage): Promise<void>;
  toConnection(connectionId: string, message: ServerMessage): Promise<void>;
  /** The socket layer subscribes once per process. Returns an unsubscribe. */
  subscribe(handler: (envelope: Envelope) => void): () => void;

  /**
   * Resolves once the event is published to every process (memory: once the handlers ran;
   * Redis: once it is in the stream, handlers run as each process reads it).
   */
  emit(event: DomainEvent): Promise<void>;
  /** A failing handler is logged by the bus and never reaches the emitter. Returns an unsubscribe. */
  on<T extends DomainEventType>(
    type: T,
    handler: (event: DomainEventOf<T>) => void | Promise<void>,
  ): () => void;

  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The effect a message carries, read from its typed fields (never by parsing the payload). */
export function effectOf(message: ServerMessage): SocketEffect | undefined {
  if (message.type === 'participant.kicked') {
    return { kind: 'leave-room', roomId: message.roomId, because: 'kicked' };
  }
  if (message.type === 'room.closed') {
    return { kind: 'leave-room', roomId: message.roomId, because: 'room-closed' };
  }
  return undefined;
}

/**
 * `toRoom`/`toUser`/`toConnection` of every implementation: each builds the envelope once
 * and hands it to `publish`.
 */
export function addressing(
  publish: (e: Envelope) => Promise<void>,
): Pick<Bus, 'toRoom' | 'toUser' | 'toConnection'> {
  return {
    toRoom: (roomId, message, opts) =>
      publish(
        envelope(
          {
            kind: 'room',
            roomId,
            ...(opts?.exceptConnectionId ? { exceptConnectionId: opts.exceptConnectionId } : {}),
          },
          message,
        ),
      ),
    toUser: (userId, message) => publish(envelope({ kind: 'user', userId }, message)),
    toConnection: (connectionId, message) =>
      publish(envelope({ kind: 'connection', connectionId }, message)),
  };
}

/** Serializes a message once into the envelope every implementation publishes. */
export function envelope(to: Delivery, message: ServerMessage): Envelope {
  const effect = effectOf(message);
  return {
    to,
    type: message.type,
    ...(effect ? { effect } : {}),
    payload: JSON.stringify(message),
  };
}
