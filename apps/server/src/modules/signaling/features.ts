import type { ChatMessage, PlaybackCommand, PlaybackState, User } from '@parley/protocol';

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
