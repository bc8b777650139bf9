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
 * Totals read this recently (app timers) are reused: every scrape, every admin summary and
 * every process's minute sample asks, and on Redis the answer is a script that visits every
 * roster entry. Gauges a few seconds old are what a 15 s scrape interval shows anyway.
 */
export const TOTALS_FRESH_MS = 5_000;

/**
 * Reads the live gauges when asked (a scrape, the admin summary, the minute sampler)
 * instead of on every join and leave: the roster is the truth for the whole deployment,
 * so no process has to keep counts in step. Sets `roomsActive` and `participantsActive`.
 * One roster read serves every reading within TOTALS_FRESH_MS.
 */
export function createLiveReadings(deps: {
  metrics: Pick<Metrics, 'roomsActive' | 'participantsActive' | 'wsConnections'>;
  roster: Pick<Roster, 'totals'>;
  timers: Timers;
  log: FastifyBaseLogger;
  timeoutMs?: number;
}) {
  let last: RosterTotals = { rooms: 0, participants: 0, usersOnline: 0 };
  /** The latest read (a pending one too: reads that overlap share it) and when it began. */
  let recent: { at: number; totals: Promise<RosterTotals> } | undefined;

  function totals(fresh: boolean): Promise<RosterTotals> {
    const now = deps.timers.monotonic();
    if (!fresh && recent && now - recent.at < TOTALS_FRESH_MS) return recent.totals;
    recent = { at: now, totals: readRoster() };
    return recent.totals;
  }

  async function readRoster(): Promise<RosterTotals> {
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
    /**
     * `fresh`: a person is looking (the admin overview), so read now rather than show totals
     * from before they signed in; the read still serves the scrapes that follow.
     */
    async read(opts: { fresh?: boolean } = {}): Promise<LiveNow> {
      const t = await totals(opts.fresh ?? false);
      deps.metrics.roomsActive.set(t.rooms);
      deps.metrics.participantsActive.set(t.participants);
      const sockets = (await deps.metrics.wsConnections.get()).values[0]?.value ?? 0;
      return { ...t, sockets };
    },
  };
}
export type LiveReadings = ReturnType<typeof createLiveReadings>;
