/**
 * Reconnection grace: when a user's last connection to a room drops without
 * `room.leave`, their seat is kept for a while (a reload, a network switch) and only
 * released when the timer fires. Timers are unref'd so they never keep the process up.
 */
export class GraceTimers {
  private readonly rooms = new Map<string, Map<string, NodeJS.Timeout>>();

  constructor(
    private readonly ms: number,
    private readonly onExpire: (roomId: string, userId: string) => void,
  ) {}

  start(roomId: string, userId: string): void {
    this.cancel(roomId, userId);
    let users = this.rooms.get(roomId);
    if (!users) this.rooms.set(roomId, (users = new Map<string, NodeJS.Timeout>()));
    const timer = setTimeout(() => {
      this.forget(roomId, userId);
      this.onExpire(roomId, userId);
    }, this.ms);
    timer.unref();
    users.set(userId, timer);
  }

  cancel(roomId: string, userId: string): void {
    clearTimeout(this.rooms.get(roomId)?.get(userId));
    this.forget(roomId, userId);
  }

  cancelRoom(roomId: string): void {
    for (const timer of this.rooms.get(roomId)?.values() ?? []) clearTimeout(timer);
    this.rooms.delete(roomId);
  }

  clear(): void {
    for (const roomId of [...this.rooms.keys()]) this.cancelRoom(roomId);
  }

  pending(): number {
    let n = 0;
    for (const users of this.rooms.values()) n += users.size;
    return n;
  }

  private forget(roomId: string, userId: string): void {
    const users = this.rooms.get(roomId);
    users?.delete(userId);
    if (users?.size === 0) this.rooms.delete(roomId);
  }
}
