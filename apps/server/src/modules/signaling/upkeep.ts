import type { SessionContext } from './context.js';
import type { LocalSockets } from './hub.js';
import { abandonIfGone, departSwept, reconcile } from './membership.js';
import { expireTokens } from './revocation.js';

/**
 * The live-state chores of one process, every `liveTiming.tickMs`: renew this process's
 * roster lease; sweep the entries of processes whose lease ran out (they crashed) and
 * tell their rooms; release the seats whose reconnection grace is due; close sockets
 * whose token expired; and, every `expiryMs`, repair what a crash left in the database.
 * The first tick runs at once, so a restarted process repairs before anyone joins.
 */
export function startUpkeep(ctx: SessionContext, sockets: LocalSockets): { stop(): Promise<void> } {
  const { timers, clock, processId, liveTiming } = ctx.deps;
  const { roster } = ctx.deps.live;
  const reconcileEvery = Math.max(1, Math.round(liveTiming.expiryMs / liveTiming.tickMs));
  let ticks = 0;
  let running: Promise<void> | undefined;
  let stopped = false;

  // The lease has a timer of its own: slow chores must never let it lapse, or the
  // others would sweep this process's live participants.
  const renew = () => {
    roster
      .heartbeat(processId, clock.now().getTime() + liveTiming.expiryMs)
      .catch((err: unknown) => ctx.log.error({ err }, 'live-state lease renewal failed'));
  };

  async function tick(): Promise<void> {
    const now = clock.now().getTime();
    for (const gone of await roster.sweep(now)) await departSwept(ctx, gone.roomId, gone.entry);
    for (const { roomId, userId } of await ctx.grace.takeDue(now)) {
      await abandonIfGone(ctx, roomId, userId);
    }
    expireTokens(ctx, sockets, now);
    if (ticks++ % reconcileEvery === 0) await reconcile(ctx);
  }

  // A slow store must not pile ticks up: one at a time, the next skipped while one runs.
  function run(): void {
    if (running || stopped) return;
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
      timers.clear(lease);
      timers.clear(interval);
      await running;
    },
  };
}
