import { createHash } from 'node:crypto';
import { randomToken } from '../../platform/random-token.js';
import type { Clock } from '../../platform/clock.js';
import type { Deadlines, LiveStore } from '../../platform/live/index.js';

/**
 * How long a connection closed by a draining process (1012) keeps its place for the
 * socket that resumes it. Clients reconnect within a second or two; past this the
 * entry is swept like a crashed process's and the seat gets the reconnection grace.
 */
export const HANDOVER_WINDOW_MS = 15_000;

type Handover = { connectionId: string; userId: string; until: number };
/** What a claim leaves for a moment: a second claim racing it reads this and gets nothing. */
type Taken = { taken: true };
const TAKEN: Taken = { taken: true };

/**
 * A process that stops hands its in-call connections over instead of ending them: it
 * leaves their roster entries in place and stores, under each connection's secret resume
 * token, who may take it over. The socket that comes back with that token (any process)
 * gets the same connection id, so peers keep their links and media never stops.
 * Tokens are stored hashed; a claim consumes one.
 */
export class Handovers {
  constructor(
    private readonly store: LiveStore<Handover | Taken>,
    private readonly expiry: Deadlines,
    private readonly clock: Clock,
  ) {}

  /** A fresh secret for `welcome.resumeToken`. */
  static newToken(): string {
    return randomToken(18);
  }

  async offer(token: string, connectionId: string, userId: string): Promise<void> {
    const key = hash(token);
    const until = this.clock.now().getTime() + HANDOVER_WINDOW_MS;
    await this.store.update(key, { connectionId, userId, until }, () => ({
      connectionId,
      userId,
      until,
    }));
    await this.expiry.set(key, until);
  }

  /**
   * The connection id `userId` may take over with `token`, once; undefined otherwise.
   * One atomic update decides: of two claims at once (two processes), one gets it. Someone
   * else's claim changes nothing, so it cannot use the owner's token up.
   */
  async claim(token: string, userId: string): Promise<string | undefined> {
    const key = hash(token);
    const now = this.clock.now().getTime();
    let claimed: string | undefined;
    const after = await this.store.update(key, TAKEN, (current) => {
      claimed = undefined;
      if ('taken' in current || current.userId !== userId) return current;
      if (current.until >= now) claimed = current.connectionId;
      return TAKEN;
    });
    if ('taken' in after) {
      await this.store.delete(key);
      await this.expiry.cancel(key);
    }
    return claimed;
  }

  /** Forgets offers nobody claimed in time (their entries are swept with their process). */
  async forgetExpired(now: number): Promise<void> {
    for (const key of await this.expiry.takeDue(now, 100)) await this.store.delete(key);
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
