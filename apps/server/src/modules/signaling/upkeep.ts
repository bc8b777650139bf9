import type { SessionContext } from './context.js';
import type { LocalSockets } from './hub.js';
import { PRESENCE_KEY } from '../../platform/live/presence.js';
import { abandonIfGone, departSwept, reconcile } from './membership.js';
import { presenceDue, presenceRejoin, presenceSwept } from './presence.js';
import { expireTokens } from './revocation.js';

/**
 * The live-state chores of one process, every `liveTiming.tickMs`: renew this process's
 * roster and socket-count leases; sweep the entries of processes whose lease ran out (they
 * crashed) and tell their rooms, and stop counting their sockets against the caps; release the seats whose reconnection grace is due; call offline the
 * people whose last socket went a few seconds ago and who did not come back; close sockets
 * whose token expired; and, every `expiryMs`, repair what a crash left in the database.
 * The first tick runs at once, so a restarted process repairs before anyone joins.
 */
export function startUpkeep(ctx: SessionContext, sockets: LocalSockets): { stop(): Promise<void> } {
  const { timers, clock, processId, liveTiming } = ctx.deps;
  const { roster, socketCounts } = ctx.deps.live;
  const reconcileEvery = Math.max(1, Math.round(liveTiming.expiryMs / liveTiming.tickMs));
  let ticks = 0;
  let running: Promise<void> | undefined;
  let stopped = false;
  let leased = false;
  let counting = false;
  /**
   * While the shared store is away nothing is renewed or swept: a renewal queued then
   * would reach Redis later with a stale end, and a sweep would judge every process by
   * leases nobody could renew. When it is back, wait one expiry before sweeping, so
   * every live process has renewed first.
   */
  let down = false;
  let sweepFrom = 0;
  const offStatus = ctx.deps.live.onStatus((status) => {
    if (status === 'down') {
      down = true;
      return;
    }
    down = false;
    sweepFrom = clock.now().getTime() + liveTiming.expiryMs;
    // Everything was lost, our lease too, and the hub already resyncs every socket:
    // the next renewal starting a lease afresh is expected, not a sign we were swept.
    if (status === 'lost') leased = counting = false;
    renew();
  });

  // The lease has a timer of its own: slow chores must never let it lapse, or the
  // others would sweep this process's live participants.
  function renew(): void {
    if (down) return;
    const until = clock.now().getTime() + liveTiming.expiryMs;
    socketCounts
      .heartbeat(processId, until)
      .then((held) => {
        // Swept from the counts: this process's open sockets count for nothing until
        // they are counted again.
        if (counting && !held && !stopped) sockets.recount();
        counting = true;
      })
      .catch((err: unknown) => ctx.log.error({ err }, 'socket-count lease renewal failed'));
    roster
      .heartbeat(processId, until)
      .then((held) => {
        // Renewing a lease we no longer hold: the others swept us (a long pause, or we
        // lost Redis for longer than the expiry). Our callers are gone from the rosters.
        if (leased && !held && !stopped) {
          sockets.resync('this process was swept from the shared roster', 'in-room');
          // Sockets outside calls stay open: they only need their presence back.
          presenceRejoin(ctx, sockets);
        }
        leased = true;
      })
      .catch((err: unknown) => ctx.log.error({ err }, 'live-state lease renewal failed'));
  }

  async function tick(): Promise<void> {
    const now = clock.now().getTime();
    const swept = now >= sweepFrom ? await roster.sweep(now, processId) : [];
    for (const gone of swept) {
      // Presence entries are no room's: their people get the offline check instead.
      // Each on its own: one room's failure must not cost the rest their departure.
      try {
        if (gone.roomId === PRESENCE_KEY) await presenceSwept(ctx, gone.entry);
        else await departSwept(ctx, gone.roomId, gone.entry);
      } catch (err) {
        ctx.log.error({ err, roomId: gone.roomId }, 'swept entry cleanup failed');
      }
    }
    if (now >= sweepFrom) {
      // On its own: a failure here must not hold up the rooms' chores below.
      await socketCounts
        .sweep(now, processId)
        .catch((err: unknown) => ctx.log.error({ err }, 'socket-count sweep failed'));
    }
    for (const { roomId, userId } of await ctx.grace.takeDue(now)) {
      await abandonIfGone(ctx, roomId, userId);
    }
    await presenceDue(ctx, now);
    await ctx.handovers.forgetExpired(now);
    expireTokens(ctx, sockets, now);
    if (ticks++ % reconcileEvery === 0) await reconcile(ctx);
  }

  // A slow store must not pile ticks up: one at a time, the next skipped while one runs.
  function run(): void {
    if (running || stopped) return;
    // Token expiry is this process's own business: it goes on while Redis is away.
    if (down) return expireTokens(ctx, sockets, clock.now().getTime());
    running = tick()
      .catch((err: unknown) => ctx.log.error({ err }, 'live-state upkeep failed'))
      .finally(() => {
        running = undefined;
      });
  }

  renew();
  run();
  const lease = timers.setInterval(renew, liveTiming.tickMs);
  const interval = timers.setInterval(run, liveTiming.tickMs);
  return {
    async stop() {
      stopped = true;
      offStatus();
      timers.clear(lease);
      timers.clear(interval);
      await running;
    },
  };
}
