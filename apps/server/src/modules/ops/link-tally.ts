import { LinkOutcome } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import type { LiveState } from '../../platform/live/index.js';

/** One UTC hour's counted link reports; `hour` says which (a slot is reused a day later). */
interface HourTally {
  /** `YYYY-MM-DDTHH`, UTC. */
  hour: string;
  direct: number;
  relay: number;
  failed: number;
}

/** The live-state store the tally lives in (PROTOCOL.md `quality.report`, docs/OPERATIONS.md). */
export const LINK_TALLY_STORE = 'quality-outcomes';

const HOUR_MS = 60 * 60_000;
/** The hours read back: the current one and the 23 before it. */
const HOURS = 24;

/** The UTC hour `at` falls in, `YYYY-MM-DDTHH`. */
export const hourOf = (at: Date): string => at.toISOString().slice(0, 13);

const empty = (hour: string): HourTally => ({ hour, direct: 0, relay: 0, failed: 0 });

/**
 * Link outcomes for the admin summary, counted across the whole deployment (the
 * Prometheus counters are per process). The live state holds 24 slots, one per UTC hour
 * of the day (`"00"` … `"23"`), each with the hour it counts: a report adds one in its
 * hour's slot (one atomic `update`, so processes never lose each other's counts), first
 * emptying a slot still holding the same hour of an earlier day. Reading sums the slots of
 * the current hour and the 23 before it: a rolling 24 hours, to the hour. Never more than
 * 24 small documents, so nothing needs purging. With the in-memory live state (one
 * process) the tally starts again at a restart; with Redis it outlives the processes.
 */
export function createLinkTally(deps: { live: Pick<LiveState, 'store'>; clock: Clock }) {
  const store = deps.live.store<HourTally>(LINK_TALLY_STORE);
  const slotOf = (hour: string) => hour.slice(11, 13);
  return {
    async count(outcome: LinkOutcome): Promise<void> {
      const hour = hourOf(deps.clock.now());
      await store.update(slotOf(hour), empty(hour), (slot) => {
        const current = slot.hour === hour ? slot : empty(hour);
        return { ...current, [outcome]: current[outcome] + 1 };
      });
    },

    /** Reports counted in the current UTC hour and the 23 before it. */
    async lastDay(): Promise<Record<LinkOutcome, number>> {
      const now = deps.clock.now().getTime();
      const hours = Array.from({ length: HOURS }, (_, i) => hourOf(new Date(now - i * HOUR_MS)));
      const slots = await Promise.all(hours.map((h) => store.get(slotOf(h))));
      const total = { direct: 0, relay: 0, failed: 0 };
      for (const slot of slots) {
        if (!slot || !hours.includes(slot.hour)) continue;
        for (const o of LinkOutcome.options) total[o] += slot[o];
      }
      return total;
    },
  };
}
export type LinkTally = ReturnType<typeof createLinkTally>;
