import type { FastifyBaseLogger } from 'fastify';
import type { Timers } from '../../platform/clock.js';
import type { Roster, RosterTotals } from '../../platform/live/index.js';
import type { Metrics } from '../../platform/metrics.js';

/** What the deployment looks like now: the roster's totals plus this process's sockets. */
export type LiveNow = RosterTotals & { sockets: number };

/**
 * A scrape must answer even when the shared live state (Redis) does not: the roster is
 * given this long, then the last good totals are reported.
 */
export const ROSTER_READ_TIMEOUT_MS = 1_000;

/**
 * Reads the live gauges when asked (a scrape, the admin summary, the minute sampler)
 * instead of on every join and leave: the roster is the truth for the whole deployment,
 * so no process has to keep counts in step. Sets `roomsActive` and `participantsActive`.
 */
export function createLiveReadings(deps: {
  metrics: Pick<Metrics, 'roomsActive' | 'participantsActive' | 'wsConnections'>;
  roster: Pick<Roster, 'totals'>;
  timers: Timers;
  log: FastifyBaseLogger;
  timeoutMs?: number;
}) {
  let last: RosterTotals = { rooms: 0, participants: 0, usersOnline: 0 };

  async function totals(): Promise<RosterTotals> {
    let timer: ReturnType<Timers['setTimeout']> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = deps.timers.setTimeout(
        () => resolve(undefined),
        deps.timeoutMs ?? ROSTER_READ_TIMEOUT_MS,
      );
    });
    try {
      const read = await Promise.race([deps.roster.totals(), timeout]);
      if (read) return (last = read);
      deps.log.warn('roster totals timed out; reporting the last ones read');
    } catch (err) {
      deps.log.warn({ err }, 'roster totals failed; reporting the last ones read');
    } finally {
      if (timer !== undefined) deps.timers.clear(timer);
    }
    return last;
  }

  return {
    async read(): Promise<LiveNow> {
      const t = await totals();
      deps.metrics.roomsActive.set(t.rooms);
      deps.metrics.participantsActive.set(t.participants);
      const sockets = (await deps.metrics.wsConnections.get()).values[0]?.value ?? 0;
      return { ...t, sockets };
    },
  };
}
export type LiveReadings = ReturnType<typeof createLiveReadings>;
