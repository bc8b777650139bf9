import type { MetricsSample } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { LiveReadings } from './live-readings.js';

/** How often app.ts runs `sample`: one point a minute for the admin chart. */
export const SAMPLE_INTERVAL_MS = 60_000;
/** Samples older than this are purged; the admin page shows the last hour. */
export const SAMPLE_RETENTION_MS = 24 * 60 * 60_000;

/** The minute `at` falls in, as stored: ISO-8601 UTC with seconds zeroed. */
export function minuteOf(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
}

/**
 * The admin page's chart data: one `metric_samples` row per minute. Every process
 * samples; the minute is the primary key and the insert ignores a conflict, so the first
 * process to write a minute wins and the others add nothing. Rooms and participants are
 * the whole deployment's (the shared roster); `sockets` are the writing process's own.
 */
export function createSampler(deps: { db: Db; clock: Clock; readings: LiveReadings }) {
  const { db, clock } = deps;
  return {
    async sample(): Promise<void> {
      const now = clock.now();
      const live = await deps.readings.read();
      await db
        .insertInto('metric_samples')
        .values({
          at: minuteOf(now),
          participants: live.participants,
          rooms: live.rooms,
          sockets: live.sockets,
        })
        .onConflict((oc) => oc.column('at').doNothing())
        .execute();
      const before = new Date(now.getTime() - SAMPLE_RETENTION_MS).toISOString();
      await db.deleteFrom('metric_samples').where('at', '<', before).execute();
    },

    /** The samples of the last hour (the current minute included), oldest first. */
    async lastHour(): Promise<MetricsSample[]> {
      const from = minuteOf(new Date(clock.now().getTime() - 60 * 60_000));
      const rows = await db
        .selectFrom('metric_samples')
        .selectAll()
        .where('at', '>', from)
        .orderBy('at', 'asc')
        .execute();
      return rows.map((r) => ({
        at: r.at,
        participants: Number(r.participants),
        rooms: Number(r.rooms),
        sockets: Number(r.sockets),
      }));
    },
  };
}
export type Sampler = ReturnType<typeof createSampler>;
