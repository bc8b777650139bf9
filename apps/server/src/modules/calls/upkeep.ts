import type { CallsContext } from './context.js';
import type { CallCursor } from './repo.js';
import type { CallTransitions } from './transitions.js';

/** Calls read per query. */
const BATCH = 200;
const iso = (ms: number) => new Date(ms).toISOString();
/**
 * A ring deadline fires within a tick of being due; a ringing call this much older than
 * the ring timeout lost its deadline (Redis restarted empty) and is missed from the DB.
 */
export const BACKSTOP_MARGIN_MS = 10_000;

/**
 * One pass of the calls' upkeep (app.ts runs it every `reapIntervalMs`, one at a time;
 * several processes may run it at once: every change is a conditional update).
 * A failure on one call does not stop the others; the first is rethrown at the end.
 */
export function createUpkeep(ctx: CallsContext, transitions: CallTransitions['upkeep']) {
  const { db, repo, rooms, ringDeadlines, clock, timing } = ctx;

  return async function tick(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    const now = clock.now().getTime();

    // Ring timeouts: each due deadline goes to exactly one process.
    for (;;) {
      const due = await ringDeadlines.takeDue(now, BATCH);
      for (const callId of due) await attempt(() => transitions.miss(callId));
      if (due.length < BATCH) break;
    }
    // The ring timeout as set now: a call already ringing when an admin shortens it may be
    // missed at the new bound (its deadline keeps the old one otherwise).
    const lost = new Date(now - ctx.ringTimeoutMs() - BACKSTOP_MARGIN_MS).toISOString();
    for (const callId of await repo.ringingSince(db, lost, BATCH)) {
      await attempt(() => transitions.miss(callId));
    }

    // The reaper: accepted calls whose room closed, or has been empty for the grace.
    // Paged through all of them: long calls must not hide the ones behind them.
    const emptyBefore = new Date(now - timing.abandonAfterMs).toISOString();
    let after: CallCursor | undefined;
    for (;;) {
      const page = await repo.accepted(db, after, BATCH);
      const occupancy = new Map(
        (await rooms.occupancy(page.flatMap((c) => (c.room_id ? [c.room_id] : [])))).map((o) => [
          o.roomId,
          o,
        ]),
      );
      for (const call of page) {
        const room = call.room_id ? occupancy.get(call.room_id) : undefined;
        const vanishedAt = !room
          ? (call.answered_at ?? iso(now))
          : room.status === 'closed'
            ? // Closed with nobody in it: they were gone since it emptied, not since it closed.
              (room.emptySince ?? room.closedAt ?? iso(now))
            : room.emptySince !== null && room.emptySince <= emptyBefore
              ? room.emptySince
              : undefined;
        if (vanishedAt !== undefined) await attempt(() => transitions.abandon(call.id, vanishedAt));
      }
      const last = page[page.length - 1];
      if (page.length < BATCH || !last) break;
      after = { createdAt: last.created_at, id: last.id };
    }

    if (errors.length > 0) throw errors[0];
  };
}
