import { SYSTEM_CONTEXT } from '../../platform/request-context.js';
import { OPEN_APPOINTMENT_STATUSES } from '@parley/protocol';
import type { AppointmentRoomOccupancy } from './ports.js';
import type { AppointmentsContext } from './context.js';
import { afterCursor } from './repo.js';
import type { AppointmentCursor, AppointmentRow } from './repo.js';
import { joinWindow } from './rules.js';
import { iso } from './time.js';

/** Rows read per query. */
const BATCH = 200;

type Ending =
  | {
      row: AppointmentRow;
      outcome: 'completed';
      /** When the call ended (the server's clock, never a client's). */
      endedAt: number;
      reason: 'window-closed' | 'everyone-left';
    }
  | { row: AppointmentRow; outcome: 'no_show'; reason: 'window-closed' };

/**
 * One pass of the appointments' upkeep (app.ts runs it every `upkeepIntervalMs`; several
 * processes may run it at once: every change is a conditional transition, one wins).
 * (1) Windows that closed: a call in progress is completed at the close (or when both
 * parties left, if earlier); one that never started is a no-show. (2) Calls in progress
 * that both parties left `emptyGraceMs` ago (an admin may still be there), or whose room
 * closed, are completed when they left. Their rooms are then closed. (3) Rooms of
 * finished appointments still open (that close failed) are closed again. A failure on
 * one does not stop the others; the first is rethrown at the end.
 */
export function createUpkeep(ctx: AppointmentsContext): () => Promise<void> {
  const { db, repo } = ctx;

  const closesAt = (row: AppointmentRow) =>
    joinWindow(Date.parse(row.starts_at), row.duration_minutes, ctx.window).closesAt;

  async function occupancyOf(
    rows: AppointmentRow[],
  ): Promise<Map<string, AppointmentRoomOccupancy>> {
    const ids = rows.flatMap((r) => (r.room_id ? [r.room_id] : []));
    if (ids.length === 0) return new Map();
    return new Map((await ctx.rooms.occupancy(ids)).map((o) => [o.roomId, o]));
  }

  /** Open appointments that may have closed (SQL narrows, `closesAt` decides), by (starts_at, id). */
  function closingPage(nowMs: number, after: AppointmentCursor | undefined) {
    // closesAt = max(start + closesAfter, end): closed ⇒ start ≤ now − closesAfter and end ≤ now.
    let q = repo
      .select(db)
      .where('a.status', 'in', [...OPEN_APPOINTMENT_STATUSES])
      .where('a.starts_at', '<=', iso(nowMs - ctx.window.closesAfterMs))
      .where('a.ends_at', '<=', iso(nowMs));
    if (after) q = q.where(afterCursor(after, 'asc'));
    return q.orderBy('a.starts_at').orderBy('a.id').limit(BATCH).execute();
  }

  function inProgressPage(after: AppointmentCursor | undefined) {
    let q = repo.select(db).where('a.status', '=', 'in_progress');
    if (after) q = q.where(afterCursor(after, 'asc'));
    return q.orderBy('a.starts_at').orderBy('a.id').limit(BATCH).execute();
  }

  /** Every page of `read`, in order; the cursor moves past each page's last row. */
  async function eachPage(
    read: (after: AppointmentCursor | undefined) => Promise<AppointmentRow[]>,
    visit: (page: AppointmentRow[]) => Promise<void>,
  ): Promise<void> {
    let after: AppointmentCursor | undefined;
    for (;;) {
      const page = await read(after);
      await visit(page);
      const last = page[page.length - 1];
      if (page.length < BATCH || !last) return;
      after = { startsAt: last.starts_at, id: last.id };
    }
  }

  /**
   * Since when neither party has been in the call: the departures' record, else the
   * room's (emptied, or closed with them in it), else null (someone is still there).
   */
  function absentSince(row: AppointmentRow, room: AppointmentRoomOccupancy | undefined) {
    const since = row.parties_absent_since ?? room?.emptySince ?? room?.closedAt ?? null;
    return since === null ? null : Date.parse(since);
  }

  /** Applies one ending if the appointment is still where we saw it; false if another pass won. */
  async function end(e: Ending, nowIso: string): Promise<boolean> {
    const { row } = e;
    const done = await ctx.transaction(SYSTEM_CONTEXT, async (trx) => {
      if (e.outcome === 'completed') {
        const started = row.call_started_at ? Date.parse(row.call_started_at) : e.endedAt;
        const seconds = Math.max(0, Math.floor((e.endedAt - started) / 1000));
        const ok = await repo.transition(trx, row.id, ['in_progress'], {
          status: 'completed',
          call_ended_at: iso(e.endedAt),
          call_duration_seconds: seconds,
          updated_at: nowIso,
        });
        if (ok) {
          await ctx.record(trx, row.id, 'completed', {
            at: nowIso,
            details: { reason: e.reason, durationSeconds: seconds },
          });
        }
        return ok;
      }
      const ok = await repo.transition(trx, row.id, ['scheduled', 'confirmed'], {
        status: 'no_show',
        updated_at: nowIso,
      });
      if (ok) {
        // Read again: a party may have arrived since the page was read.
        const fresh = (await repo.find(trx, row.id)) ?? row;
        await ctx.record(trx, row.id, 'no_show', {
          at: nowIso,
          details: {
            providerJoined: fresh.provider_joined_at !== null,
            clientJoined: fresh.client_joined_at !== null,
          },
        });
      }
      return ok;
    });
    if (!done) return false;
    const roomId = row.room_id;
    if (roomId) {
      const why = e.reason === 'window-closed' ? 'expired' : 'ended';
      await ctx.afterCommit('close appointment room', () =>
        ctx.rooms.close(roomId, why, null, SYSTEM_CONTEXT),
      );
    }
    await ctx.notify(row.id);
    return true;
  }

  return async function tick(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    const nowMs = ctx.clock.now().getTime();
    const nowIso = iso(nowMs);

    // (1) Closed windows.
    await eachPage(
      (after) => closingPage(nowMs, after),
      async (page) => {
        const rooms = await occupancyOf(page.filter((r) => r.status === 'in_progress'));
        for (const row of page) {
          const close = closesAt(row);
          // The window's last instant is still inside it.
          if (nowMs <= close) continue;
          if (row.status === 'in_progress') {
            const gone = absentSince(row, row.room_id ? rooms.get(row.room_id) : undefined);
            // Both had already left (within the grace): the call ended then, not at the close.
            const endedAt = gone === null ? close : Math.min(gone, close);
            await attempt(() =>
              end({ row, outcome: 'completed', endedAt, reason: 'window-closed' }, nowIso),
            );
          } else if (row.status === 'scheduled' || row.status === 'confirmed') {
            await attempt(() => end({ row, outcome: 'no_show', reason: 'window-closed' }, nowIso));
          }
        }
      },
    );

    // (2) Calls in progress that both parties left: ended when they left.
    const goneBefore = nowMs - ctx.config.emptyGraceMs;
    await eachPage(inProgressPage, async (page) => {
      const rooms = await occupancyOf(page);
      for (const row of page) {
        const room = row.room_id ? rooms.get(row.room_id) : undefined;
        const gone = absentSince(row, room);
        let endedAt: number | undefined;
        if (!room) {
          // No room left to measure (deleted): ended as far as anyone can tell now.
          endedAt = gone ?? Math.min(nowMs, closesAt(row));
        } else if (room.status === 'closed') {
          // Closed with nobody in it: they were gone since they left, not since it closed.
          endedAt = gone ?? nowMs;
        } else if (gone !== null && gone <= goneBefore) {
          endedAt = gone;
        }
        if (endedAt === undefined) continue;
        const at = endedAt;
        await attempt(() =>
          end({ row, outcome: 'completed', endedAt: at, reason: 'everyone-left' }, nowIso),
        );
      }
    });

    // (3) Rooms a failed close left open after their appointment finished.
    let afterRoom: string | undefined;
    for (;;) {
      const page = await repo.openRoomsOfFinished(db, afterRoom, BATCH);
      for (const { roomId, status } of page) {
        const why = status === 'no_show' ? 'expired' : 'ended';
        await attempt(() => ctx.rooms.close(roomId, why, null, SYSTEM_CONTEXT));
      }
      const last = page[page.length - 1];
      if (page.length < BATCH || !last) break;
      afterRoom = last.roomId;
    }

    if (errors.length > 0) throw errors[0];
  };
}
