import type { RoomAppointments } from '../signaling/index.js';
import type { AppointmentsContext } from './context.js';
import { joinWindow } from './rules.js';

/**
 * What the socket layer reports about an appointment's room. Each party's first arrival
 * is kept (no-show evidence); the call starts, on the server's clock, the first time
 * provider and client are in it together. Only `confirmed` starts, so a reconnection
 * (already `in_progress`) never restarts the clock. An admin present counts for neither:
 * the session is over when both parties are gone (`parties_absent_since`, which the
 * upkeep completes after the grace), whoever else stays.
 */
export function createAttendance(ctx: AppointmentsContext): RoomAppointments {
  return {
    async entered(roomId, userIds, origin) {
      const row = await ctx.repo.findByRoom(ctx.db, roomId);
      if (!row) return;
      const present = new Set(userIds);
      const provider = present.has(row.provider_id);
      const client = present.has(row.client_id);
      if (!provider && !client) return;

      const at = ctx.now();
      const changed = await ctx.transaction(origin, async (trx) => {
        let any = false;
        // A party is back within the grace: the call goes on (and its clock never stopped).
        if (row.parties_absent_since !== null) await ctx.repo.partiesAbsent(trx, row.id, null);
        if (provider && !row.provider_joined_at) {
          any = (await ctx.repo.setOnce(trx, row.id, 'provider_joined_at', at)) || any;
        }
        if (client && !row.client_joined_at) {
          any = (await ctx.repo.setOnce(trx, row.id, 'client_joined_at', at)) || any;
        }
        if (!provider || !client || row.status !== 'confirmed') return any;
        // Entered in the last instant of the window: the upkeep's no-show stands instead.
        const { closesAt } = joinWindow(
          Date.parse(row.starts_at),
          row.duration_minutes,
          ctx.window,
        );
        if (Date.parse(at) > closesAt) return any;
        const started = await ctx.repo.transition(trx, row.id, ['confirmed'], {
          status: 'in_progress',
          call_started_at: at,
          updated_at: at,
        });
        if (started) await ctx.record(trx, row.id, 'started', { at });
        return started || any;
      });
      if (changed) await ctx.notify(row.id);
    },

    async departed(roomId, userIds) {
      const row = await ctx.repo.findByRoom(ctx.db, roomId);
      if (!row || row.status !== 'in_progress' || row.parties_absent_since !== null) return;
      const present = new Set(userIds);
      if (present.has(row.provider_id) || present.has(row.client_id)) return;
      // Nothing to tell the parties: only the upkeep's completion, later, changes the view.
      await ctx.repo.partiesAbsent(ctx.db, row.id, ctx.now());
    },
  };
}
