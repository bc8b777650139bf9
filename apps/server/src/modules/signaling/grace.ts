import type { Deadlines } from '../../platform/live/index.js';

/**
 * Reconnection grace: when a user's last connection to a room drops without
 * `room.leave`, their seat is kept for a while (a reload, a network switch, a process
 * that died) and released only when the deadline passes with them still away. The
 * deadlines live in the shared live state, so whichever process is alive when one
 * falls due releases the seat, even if the process that set it is gone.
 */
export class Grace {
  constructor(
    private readonly deadlines: Deadlines,
    private readonly ms: number,
  ) {}

  start(roomId: string, userId: string, now: number): Promise<void> {
    return this.deadlines.set(key(roomId, userId), now + this.ms);
  }

  cancel(roomId: string, userId: string): Promise<void> {
    return this.deadlines.cancel(key(roomId, userId));
  }

  cancelRoom(roomId: string): Promise<void> {
    return this.deadlines.cancelPrefix(`${roomId}/`);
  }

  async pending(roomId: string, userId: string): Promise<boolean> {
    return (await this.deadlines.get(key(roomId, userId))) !== undefined;
  }

  /** The graces due at `now`, each handed to exactly one caller across processes. */
  async takeDue(now: number, limit = 100): Promise<{ roomId: string; userId: string }[]> {
    const keys = await this.deadlines.takeDue(now, limit);
    return keys.flatMap((k) => {
      const [roomId, userId] = k.split('/');
      return roomId && userId ? [{ roomId, userId }] : [];
    });
  }
}

const key = (roomId: string, userId: string) => `${roomId}/${userId}`;
