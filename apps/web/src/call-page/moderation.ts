import type { MuteAllResponse } from '@parley/protocol';
import type { NoticeMessage } from './types';

/** The REST routes a host or co-host uses from the call page (endpoints.rooms.*). */
export interface ModerationApi {
  decide(
    roomId: string,
    userId: string,
    action: 'admit' | 'deny' | 'kick' | 'promote',
  ): Promise<unknown>;
  mute(roomId: string, userId: string): Promise<unknown>;
  muteAll(roomId: string): Promise<MuteAllResponse>;
  lowerHand(roomId: string, userId: string): Promise<unknown>;
  spotlight(roomId: string, connectionId: string | null): Promise<unknown>;
  end(roomId: string): Promise<unknown>;
}

/** Busy keys that are no user id. */
export const MUTE_ALL = 'mute-all';
export const SPOTLIGHT = 'spotlight';

/**
 * Moderation requests from the page: each marks its key busy (the buttons wait) until the
 * server answered, and says how it went in a notice. The call's own messages (the roster,
 * `room.spotlight`) show the effect; nothing here changes what the page draws by itself.
 */
export class Moderation {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly api: ModerationApi,
    private readonly roomId: () => string | undefined,
    private readonly notify: (message: NoticeMessage) => void,
    private readonly onChange: () => void,
  ) {}

  get busy(): ReadonlySet<string> {
    return this.inFlight;
  }

  /**
   * Runs `request` under `key`; a second request for the same key while one is on its way
   * is dropped (a double click). Resolves whether it succeeded; a failure is a notice.
   */
  async run<T>(
    key: string,
    request: (roomId: string) => Promise<T>,
    done?: (result: T) => NoticeMessage | undefined,
  ): Promise<boolean> {
    const roomId = this.roomId();
    if (!roomId || this.inFlight.has(key)) return false;
    this.inFlight.add(key);
    this.onChange();
    try {
      const result = await request(roomId);
      const message = done?.(result);
      if (message) this.notify(message);
      return true;
    } catch (error) {
      this.notify({ error });
      return false;
    } finally {
      this.inFlight.delete(key);
      this.onChange();
    }
  }

  admit(userId: string) {
    return this.run(userId, (id) => this.api.decide(id, userId, 'admit'));
  }

  deny(userId: string) {
    return this.run(userId, (id) => this.api.decide(id, userId, 'deny'));
  }

  kick(userId: string, name: string) {
    return this.run(
      userId,
      (id) => this.api.decide(id, userId, 'kick'),
      () => ({ key: 'call.notices.kicked', params: { name } }),
    );
  }

  promote(userId: string, name: string, quiet = false) {
    return this.run(
      userId,
      (id) => this.api.decide(id, userId, 'promote'),
      () => (quiet ? undefined : { key: 'call.notices.promoted', params: { name } }),
    );
  }

  mute(userId: string, name: string) {
    return this.run(
      userId,
      (id) => this.api.mute(id, userId),
      () => ({ key: 'call.notices.mutedOther', params: { name } }),
    );
  }

  muteAll() {
    return this.run(
      MUTE_ALL,
      (id) => this.api.muteAll(id),
      (res) => ({ key: 'call.notices.mutedAll', params: { n: res.muted } }),
    );
  }

  lowerHand(userId: string) {
    return this.run(userId, (id) => this.api.lowerHand(id, userId));
  }

  spotlight(connectionId: string | null) {
    return this.run(SPOTLIGHT, (id) => this.api.spotlight(id, connectionId));
  }
}
