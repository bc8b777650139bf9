import type { RosterEntry, User } from '@parley/protocol';
import { PRESENCE_KEY, presenceLock } from '../../platform/live/presence.js';
import type { SessionContext } from './context.js';
import type { LocalSockets } from './hub.js';
import type { Connection } from './session.js';

/**
 * Who is online, decided here from every process's sockets and told to the contacts
 * module (`deps.presence`). Each authenticated socket of a member has a roster entry under
 * PRESENCE_KEY, owned by its process like a call's entries, so a dead process's people
 * are swept within the same expiry. Changes for one user run under that user's live-state
 * lock, so "first socket", "last socket" and "still gone?" are decided one at a time
 * across processes and their notices go out in that order. Nothing here throws: presence
 * failures are logged and never break a hello or a close.
 */

/**
 * How long someone whose last socket closed still looks online: a reload, a network
 * switch or a handover to another process reconnects well within it, so nobody sees
 * them blink offline and back.
 */
export const OFFLINE_DELAY_MS = 5_000;

/** Live-state deadlines, keyed by user id: "check at T whether they are still gone". */
export const OFFLINE_CHECKS = 'presence-offline';

/**
 * A presence entry's media, never changed: one frozen object for every entry, not one per
 * socket (a memory roster keeps entries as they are).
 */
const NO_MEDIA: RosterEntry['media'] = Object.freeze({
  audio: false,
  video: false,
  screen: false,
  handRaised: false,
});

/**
 * A connection became `ready` (after `hello`, a resumed one too): its presence entry.
 * The user's first entry anywhere makes them online, unless an offline check is pending:
 * then nobody saw them go, and the check is simply cancelled. Called in the connection's
 * task queue, so the removal its close queues always runs after this.
 * `mayExist`: the entry may be there already (a resumed connection whose old process
 * left it, a re-registration); taking it over is no change.
 */
export async function presenceUp(
  ctx: SessionContext,
  conn: Connection,
  user: User,
  mayExist: boolean,
): Promise<void> {
  if (user.isGuest) return;
  const { roster, locks } = ctx.deps.live;
  const entry: RosterEntry = {
    connectionId: conn.id,
    userId: user.id,
    displayName: user.displayName,
    isGuest: false,
    role: 'participant',
    media: NO_MEDIA,
    joinedAt: ctx.deps.clock.now().toISOString(),
    handRaisedAt: null,
  };
  await guarded(ctx, user.id, 'up', () =>
    locks.run(presenceLock(user.id), async () => {
      const had = mayExist && (await roster.get(PRESENCE_KEY, conn.id)) !== undefined;
      const { userConnections } = await roster.add(PRESENCE_KEY, entry, ctx.deps.processId);
      if (had || userConnections !== 1) return;
      const checks = offlineChecks(ctx);
      if ((await checks.get(user.id)) !== undefined) return checks.cancel(user.id);
      await ctx.deps.presence.online(user.id);
    }),
  );
}

/**
 * A connection that had said `hello` closed. Only this process's own entry goes (one
 * resumed elsewhere belongs to that process now); the user's last one starts the
 * offline check instead of an offline notice, so a reload says nothing. The removal
 * itself is atomic and never waits for the user's lock: a lock that cannot be had (a
 * slow database holding it) must not leave a closed socket looking online for good.
 */
export async function presenceDown(
  ctx: SessionContext,
  connectionId: string,
  user: User,
): Promise<void> {
  if (user.isGuest) return;
  const { roster, locks } = ctx.deps.live;
  let removed: Awaited<ReturnType<typeof roster.remove>>;
  const ok = await guarded(ctx, user.id, 'down', async () => {
    removed = await roster.remove(PRESENCE_KEY, connectionId, ctx.deps.processId);
  });
  if (!ok || !removed || removed.counts.userConnections > 0) return;
  const checked = await guarded(ctx, user.id, 'down-check', () =>
    locks.run(presenceLock(user.id), async () => {
      // Counted under the lock: another tab may have said hello since the removal.
      if ((await roster.countUserConnections(PRESENCE_KEY, user.id)) > 0) return;
      await startCheck(ctx, user.id);
    }),
  );
  // The check decides again when due, so setting it without the lock is safe.
  if (!checked) await guarded(ctx, user.id, 'down-retry', () => startCheck(ctx, user.id));
}

/** A dead process's presence entry was swept: the same check as a closed socket. */
export async function presenceSwept(ctx: SessionContext, entry: RosterEntry): Promise<void> {
  const { roster, locks } = ctx.deps.live;
  await guarded(ctx, entry.userId, 'swept', () =>
    locks.run(presenceLock(entry.userId), async () => {
      // Back through another process already (a client reconnects before the expiry).
      if ((await roster.countUserConnections(PRESENCE_KEY, entry.userId)) > 0) return;
      await startCheck(ctx, entry.userId);
    }),
  );
}

/** The offline checks due at `now` (each taken by one process): still gone means offline. */
export async function presenceDue(ctx: SessionContext, now: number): Promise<void> {
  const { roster, locks } = ctx.deps.live;
  for (const userId of await offlineChecks(ctx).takeDue(now, MAX_CHECKS_PER_TICK)) {
    const done = await guarded(ctx, userId, 'offline', () =>
      locks.run(presenceLock(userId), async () => {
        if ((await roster.countUserConnections(PRESENCE_KEY, userId)) > 0) return;
        await ctx.deps.presence.offline(userId, new Date(now));
      }),
    );
    // Taken but not told (the database was away): try again later rather than leave
    // them looking online for good.
    if (!done) await guarded(ctx, userId, 'retry', () => startCheck(ctx, userId));
  }
}

/**
 * This process was swept (it looked dead to the others): its entries are gone, and its
 * people will be called offline. Every socket still open here registers again, in its
 * own task queue so a close already queued keeps the last word.
 */
export function presenceRejoin(ctx: SessionContext, sockets: LocalSockets): void {
  for (const conn of sockets.all()) {
    conn.enqueue(
      () => {
        const s = conn.state;
        if (s.kind !== 'ready' && s.kind !== 'in-room') return Promise.resolve();
        return presenceUp(ctx, conn, s.user, true);
      },
      (err) => ctx.log.error({ err, connectionId: conn.id }, 'presence re-registration failed'),
    );
  }
}

/** At most this many offline checks per upkeep tick; the rest wait for the next one. */
const MAX_CHECKS_PER_TICK = 100;

function offlineChecks(ctx: SessionContext) {
  return ctx.deps.live.deadlines(OFFLINE_CHECKS);
}

function startCheck(ctx: SessionContext, userId: string): Promise<void> {
  return offlineChecks(ctx).set(userId, ctx.deps.clock.now().getTime() + OFFLINE_DELAY_MS);
}

/** Runs a presence step; a failure is logged, never thrown. True when it succeeded. */
async function guarded(
  ctx: SessionContext,
  userId: string,
  step: string,
  work: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    ctx.log.error({ err, userId, presenceStep: step }, 'presence update failed');
    return false;
  }
}
