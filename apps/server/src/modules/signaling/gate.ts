import type { LobbyEntry, ParticipantRole, RoomSummary, User } from '@parley/protocol';

/**
 * What the socket layer needs from the rooms module. The rooms service implements it;
 * signaling never reads room tables itself. Every method throws an AppError with a
 * protocol error code (ROOM_NOT_FOUND, ROOM_CLOSED, NOT_APPROVED, …) when refused.
 */
export interface RoomGate {
  /**
   * `room.join`: the user must be an approved participant of an open room.
   * Returns their role, the room as everyone in it sees it, and (for hosts and co-hosts)
   * who is waiting in the lobby.
   */
  enter(
    roomId: string,
    user: User,
  ): Promise<{ role: ParticipantRole; room: RoomSummary; lobby: LobbyEntry[] | undefined }>;
  /** `room.leave`: the user gives up their seat (status `left`). */
  leave(roomId: string, userId: string): Promise<void>;
  /**
   * The user's last connection to the room dropped without `room.leave` and did not
   * come back within the reconnection grace: release the seat.
   */
  abandon(roomId: string, userId: string): Promise<void>;
  /** The room's call went from empty to occupied (clears the empty-room timer). */
  occupied(roomId: string): Promise<void>;
  /** The room's call became empty (starts the empty-room timer). */
  emptied(roomId: string): Promise<void>;
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
