import type {
  CallSignalKind,
  ChatMessage,
  PlaybackCommand,
  PlaybackState,
  User,
} from '@parley/protocol';
import type { RequestContext } from '../../platform/request-context.js';

/**
 * What the socket layer needs from the chat and playback modules; their services
 * implement these. Like `RoomGate`, every method throws an AppError with a protocol
 * error code when refused, and signaling never reads their storage itself.
 */
export interface RoomChat {
  /** Stores a message from `user` and returns it as the room will see it. */
  send(roomId: string, user: User, text: string): Promise<ChatMessage>;
  /** True when the others should hear that `user` is typing; false when throttled. */
  typing(roomId: string, user: User): Promise<boolean>;
  /** The last messages for `room.joined`, oldest first. */
  recent(roomId: string): Promise<ChatMessage[]>;
}

export interface RoomPlayback {
  /** A host's or co-host's command; returns the new state (NOT_HOST for others). */
  apply(roomId: string, userId: string, command: PlaybackCommand): Promise<PlaybackState>;
  current(roomId: string): Promise<PlaybackState>;
}

/**
 * What the socket layer tells the direct-calls module about a call's room (rooms of
 * kind `direct` only). Failures are logged; they never undo the join or the relay.
 */
export interface RoomCalls {
  /** A connection entered the call's room; `users` distinct people are in it now. */
  entered(roomId: string, users: number): Promise<void>;
  /** A negotiation message was relayed in the call's room: only its kind is recorded. */
  signalled(roomId: string, fromUserId: string, kind: CallSignalKind): Promise<void>;
}

/**
 * What the socket layer tells the appointments module about an appointment's room: who
 * is in its call (the start and the end of the measured session, each party's first
 * arrival). Failures are logged; they never undo the join or the departure.
 */
export interface RoomAppointments {
  /**
   * A connection entered the appointment's room; `userIds`: the distinct people in it now;
   * `origin`: the connection's, for the audit entry of a session it starts.
   */
  entered(roomId: string, userIds: string[], origin: RequestContext): Promise<void>;
  /**
   * A connection left the room's call for any reason but the room closing; `userIds`: the
   * distinct people still in it. May be told of a room that is not an appointment's (a
   * swept departure does not know the room's kind): it is then ignored.
   */
  departed(roomId: string, userIds: string[]): Promise<void>;
}

/**
 * Presence transitions, decided by the socket layer from every process's sockets: the
 * user's first socket anywhere opened (`online`), or their last one closed and none came
 * back within a few seconds (`offline`). The contacts module implements it.
 */
export interface UserPresence {
  online(userId: string): Promise<void>;
  offline(userId: string, at: Date): Promise<void>;
}
