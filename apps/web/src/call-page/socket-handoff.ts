/**
 * The call's signaling socket, opened by the pre-join page when Join is pressed and handed to
 * the call page, so connecting and `hello` run while the REST join is in flight and the call
 * page loads, not after the call page has mounted (they were ~50-100 ms of the Join → first
 * remote frame path, behind the call page's first render).
 *
 * The socket is the person's, not the room's (`room.join` goes over it later): it is handed
 * only to the same user, and a socket nobody took is closed after HOLD_MS (a join that ended
 * in the lobby, an error, a page that never came).
 */
import { realTimers } from '../lib/hold-timers';
import type { HoldTimers } from '../lib/hold-timers';

export const SOCKET_HOLD_MS = 15_000;

/** What the hand-over needs of a SignalingClient. */
export interface HandedSocket {
  connect(): Promise<void>;
  close(): void;
}

let early: { socket: HandedSocket; userId: string; timer: unknown; timers: HoldTimers } | null =
  null;

/** Opens (connect + hello) a socket for `userId`'s call; an earlier one still held is closed. */
export function openEarlySocket<T extends HandedSocket>(
  userId: string,
  create: () => T,
  ms = SOCKET_HOLD_MS,
  timers: HoldTimers = realTimers,
): T {
  dropEarlySocket();
  const socket = create();
  // A failure is the call page's to see: its join connects again (or reports it).
  socket.connect().catch(() => undefined);
  early = { socket, userId, timer: timers.setTimeout(dropEarlySocket, ms), timers };
  return socket;
}

/** The held socket when it is `userId`'s (connecting or open); either way nothing stays held. */
export function takeEarlySocket<T extends HandedSocket = HandedSocket>(
  userId: string | undefined,
): T | undefined {
  const held = early;
  if (!held) return undefined;
  early = null;
  held.timers.clearTimeout(held.timer);
  if (held.userId === userId) return held.socket as T;
  held.socket.close();
  return undefined;
}

/** Closes the held socket (nobody will take it). */
export function dropEarlySocket(): void {
  const held = early;
  if (!held) return;
  early = null;
  held.timers.clearTimeout(held.timer);
  held.socket.close();
}
