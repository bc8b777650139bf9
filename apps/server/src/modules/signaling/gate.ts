import type { LobbyEntry, ParticipantRole, RoomSummary, User } from '@parley/protocol';

/**
 * What the socket layer needs from the rooms module. The rooms service implements it;
 * signaling never reads room tables itself. Every method throws an AppError with a
 * protocol error code (ROOM_NOT_FOUND, ROOM_CLOSED, NOT_APPROVED, …) when refused.
 */
export interface RoomGate {
  /**
   * `room.join`: the user must be an approved participant of an open room.
   * Returns their role, the room as everyone in it sees it, (for hosts and co-hosts) who
   * is waiting in the lobby, and the connection a host put in the spotlight (or null).
   * Called under the room's live lock.
   */
  enter(
    roomId: string,
    user: User,
  ): Promise<{
    role: ParticipantRole;
    room: RoomSummary;
    lobby: LobbyEntry[] | undefined;
    spotlight: string | null;
  }>;
  /** `room.leave`: the user gives up their seat (status `left`). */
  leave(roomId: string, userId: string): Promise<void>;
  /**
   * The user's last connection to the room dropped without `room.leave` and did not
   * come back within the reconnection grace: release the seat.
   */
  abandon(roomId: string, userId: string): Promise<void>;
  /**
   * The room's call went from empty to occupied: clears the empty-room timer and starts
   * the meeting clock. Returns when the meeting began (RoomSummary.meetingStartedAt).
   */
  occupied(roomId: string): Promise<{ meetingStartedAt: string }>;
  /** The room's call became empty: starts the empty-room timer, stops the meeting clock. */
  emptied(roomId: string): Promise<void>;
  /**
   * One connection left the call (any reason but the room closing): what pointed at it
   * goes (the spotlight). Called under the room's live lock.
   */
  departed(roomId: string, connectionId: string): Promise<void>;
  /**
   * `userId` left the call for good (room.leave, or their reconnection grace ran out) and
   * has no other connection in it. If they moderated and nobody left in the call does,
   * while people remain, the longest-present account (members before guests) becomes
   * co-host and hears `moderation.granted`. Called under the room's live lock, which every
   * process shares: of two departures at once, the second finds a co-host and does nothing.
   */
  handOver(roomId: string, userId: string): Promise<void>;
  /** Current role of an approved participant, or undefined when they no longer are one. */
  roleOf(roomId: string, userId: string): Promise<ParticipantRole | undefined>;
  /**
   * Approved participants of open rooms whose seat last changed before `takenBefore`.
   * At start-up and periodically, those with no connection in the roster are released
   * (`abandon`): nobody holds them after a crash. The cut-off spares seats just taken
   * over HTTP whose socket has not arrived yet.
   */
  heldSeats(takenBefore: Date): Promise<{ roomId: string; userId: string }[]>;
  /**
   * Open rooms marked occupied (`empty_since` null): someone was in the call when a
   * process died. Those with nobody in the roster should be marked `emptied`, so the
   * empty-room cleanup can close them.
   */
  unattendedRooms(): Promise<string[]>;
}
