import { randomUUID } from 'node:crypto';
import type { Call, CreateCallBody, User } from '@parley/protocol';
import { noAudit } from '../../platform/audit.js';
import { isUniqueViolation } from '../../platform/db/database.js';
import type { CallStateColumn, CallsTable } from '../../platform/db/schema.js';
import { SYSTEM_CONTEXT } from '../../platform/request-context.js';
import type { RequestContext } from '../../platform/request-context.js';
import type { CallsContext } from './context.js';
import { requireMember } from './context.js';
import { CallErrors } from './errors.js';
import type { CallRow, Trx } from './repo.js';
import { toCall } from './views.js';

/** Whole seconds between two stored times, never negative. */
const secondsBetween = (from: string, to: string) =>
  Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 1000));
// Stored times are ISO-8601 UTC, so they compare as text.
const later = (a: string, b: string) => (a > b ? a : b);
const earlier = (a: string, b: string) => (a < b ? a : b);

/**
 * The call state machine: every change is one transaction whose conditional UPDATE
 * (`WHERE state = from`) decides the race, so concurrent requests and the ticks of
 * several processes give exactly one outcome; only the winner tells the parties.
 */
export function createTransitions(ctx: CallsContext) {
  const { db, repo, people, rooms, ringDeadlines, clock } = ctx;
  const audit = ctx.audit ?? noAudit;

  /**
   * The call reached its final state: one audit entry and one count by final status
   * (metrics), after the commit. Only the transition that won calls this, so each call is
   * recorded once. The duration is the server's (from both-connected), never a client's.
   */
  function finished(row: CallRow, origin: RequestContext): Promise<void> {
    ctx.metrics?.callsEnded.inc({ status: row.state });
    return audit.record({
      type: 'call.ended',
      actorId: row.ended_by,
      origin,
      targetType: 'call',
      targetId: row.id,
      details: {
        status: row.state,
        reason: row.end_reason,
        durationSeconds: row.duration_seconds,
        callerId: row.caller_id,
        calleeId: row.callee_id,
        media: row.media,
      },
    });
  }

  /**
   * Leaves `from` for a terminal state and frees both lines. `fix` may adjust the row
   * from what it holds after the update (a duration from `connected_at`: read under the
   * row lock, so a concurrent "both connected" is either in or refused). Undefined when
   * the call had already left `from`.
   */
  async function settle(
    callId: string,
    from: CallStateColumn,
    set: Partial<CallsTable>,
    origin: RequestContext,
    fix?: (row: CallRow) => Partial<CallsTable>,
  ): Promise<CallRow | undefined> {
    const settled = await db.transaction().execute(async (trx) => {
      if (!(await repo.transition(trx, callId, from, set))) return undefined;
      let row = (await repo.find(trx, callId))!;
      const patch = fix?.(row);
      if (patch) {
        await repo.update(trx, callId, patch);
        row = { ...row, ...patch };
      }
      await repo.releaseLines(trx, callId);
      return row;
    });
    if (settled) await finished(settled, origin);
    return settled;
  }

  /** The call's state now, for the 409 of a request that lost a race. */
  async function lostTo(callId: string): Promise<never> {
    throw CallErrors.invalidState((await repo.find(db, callId))?.state ?? 'over');
  }

  /** A ringing call stops ringing: the deadline goes, both parties hear `type`. */
  async function stopRinging(
    row: CallRow,
    type: 'call.rejected' | 'call.cancelled' | 'call.missed',
  ) {
    // A deadline left behind is harmless: `miss` only acts on a call still ringing.
    await ctx.afterCommit('ring deadline cancel', () => ringDeadlines.cancel(row.id));
    await ctx.afterCommit(type, () => ctx.tell(row, type, 'both'));
  }

  /** The end of an accepted call: both parties hear it, then its room closes. */
  async function hungUp(
    row: CallRow,
    reason: 'ended' | 'expired',
    actorId: string | null,
    origin: RequestContext,
  ) {
    // Told first, so sockets in the call hear it before the room closes them; a failed
    // notice still closes the room (no unmetered room left open after the call).
    await ctx.afterCommit('call.ended', () => ctx.tell(row, 'call.ended', 'both'));
    const roomId = row.room_id;
    if (roomId)
      await ctx.afterCommit('room close', () => rooms.close(roomId, reason, actorId, origin));
  }

  async function ringingParty(user: User, callId: string, role: 'caller' | 'callee') {
    requireMember(user);
    const row = await ctx.partyOf(callId, user.id);
    const isCaller = row.caller_id === user.id;
    if (role === 'callee' && isCaller)
      throw CallErrors.notParty('Only the person called can answer or decline.');
    if (role === 'caller' && !isCaller)
      throw CallErrors.notParty('Only the caller can cancel; decline with reject.');
    if (row.state !== 'ringing') throw CallErrors.invalidState(row.state);
    return row;
  }

  /** What the parties ask for over HTTP. */
  const requests = {
    async create(user: User, body: CreateCallBody, origin: RequestContext): Promise<Call> {
      requireMember(user);
      if (body.calleeId === user.id) throw CallErrors.cannotCallSelf();
      const callee = await people.find(body.calleeId);
      if (!callee) throw CallErrors.userNotFound();
      if (callee.isGuest) throw CallErrors.cannotCallGuest();
      if (await people.hasBlocked(callee.id, user.id)) throw CallErrors.blocked();
      const dnd = await people.doNotDisturb(callee.id);
      const at = ctx.now();
      const id = randomUUID();
      const row = await db.transaction().execute(async (trx) => {
        await repo.insertCall(trx, {
          id,
          caller_id: user.id,
          callee_id: callee.id,
          media: body.media,
          state: 'ringing',
          room_id: null,
          created_at: at,
          answered_at: null,
          connected_at: null,
          ended_at: null,
          duration_seconds: null,
          ended_by: null,
          end_reason: null,
          callee_seen_at: null,
        });
        // The caller's line is taken even for a busy answer: it is what tells, atomically,
        // that they are in another call. Taken in user-id order, so A calling B while B
        // calls A cannot deadlock on PostgreSQL.
        const wanted = dnd ? [user.id] : [user.id, callee.id];
        const got = new Set<string>();
        for (const uid of wanted.sort()) if (await repo.claimLine(trx, uid, id)) got.add(uid);
        if (!got.has(user.id)) throw CallErrors.alreadyInCall();
        if (!got.has(callee.id)) {
          await repo.update(trx, id, { state: 'busy', ended_at: at });
          await repo.releaseLines(trx, id);
        }
        return (await repo.find(trx, id))!;
      });
      if (row.state === 'ringing') {
        // Without its deadline the call is still missed, by the database backstop.
        const due = clock.now().getTime() + ctx.ringTimeoutMs();
        await ctx.afterCommit('ring deadline', () => ringDeadlines.set(id, due));
        await ctx.afterCommit('call.incoming', () => ctx.tell(row, 'call.incoming', 'callee'));
      } else {
        await finished(row, origin);
        await ctx.afterCommit('call.busy', () => ctx.tell(row, 'call.busy', 'caller'));
      }
      return toCall(row, user.id);
    },

    /**
     * The callee answers: the transition and the call's private room are one
     * transaction, so a lost race leaves no room behind.
     */
    async accept(user: User, callId: string): Promise<Call> {
      const call = await ringingParty(user, callId, 'callee');
      const at = ctx.now();
      const open = async (trx: Trx): Promise<CallRow | undefined> => {
        if (
          !(await repo.transition(trx, callId, 'ringing', { state: 'accepted', answered_at: at }))
        )
          return undefined;
        const room = await rooms.open(trx, {
          callerId: call.caller_id,
          calleeId: call.callee_id,
          name: `${call.caller_name} · ${call.callee_name}`,
          at,
        });
        await repo.update(trx, callId, { room_id: room.id });
        return (await repo.find(trx, callId))!;
      };
      let row: CallRow | undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          row = await db.transaction().execute(open);
          break;
        } catch (err) {
          // A room-code collision (49+ bits: vanishingly rare) just draws again.
          if (isUniqueViolation(err) && attempt < 3) continue;
          throw err;
        }
      }
      if (!row) return lostTo(callId);
      const accepted = row;
      await ctx.afterCommit('ring deadline cancel', () => ringDeadlines.cancel(callId));
      await ctx.afterCommit('call.accepted', () => ctx.tell(accepted, 'call.accepted', 'caller'));
      // Every device of the callee stops ringing; the one that answered has this reply.
      await ctx.afterCommit('call.answered-elsewhere', () =>
        ctx.tell(accepted, 'call.answered-elsewhere', 'callee'),
      );
      return toCall(row, user.id);
    },

    async reject(user: User, callId: string, origin: RequestContext): Promise<Call> {
      await ringingParty(user, callId, 'callee');
      const at = ctx.now();
      const row = await settle(
        callId,
        'ringing',
        {
          state: 'rejected',
          ended_at: at,
          ended_by: user.id,
        },
        origin,
      );
      if (!row) return lostTo(callId);
      await stopRinging(row, 'call.rejected');
      return toCall(row, user.id);
    },

    async cancel(user: User, callId: string, origin: RequestContext): Promise<Call> {
      await ringingParty(user, callId, 'caller');
      const at = ctx.now();
      const row = await settle(
        callId,
        'ringing',
        {
          state: 'cancelled',
          ended_at: at,
          ended_by: user.id,
        },
        origin,
      );
      if (!row) return lostTo(callId);
      await stopRinging(row, 'call.cancelled');
      return toCall(row, user.id);
    },

    /** Either party hangs up an accepted call; the duration runs from both-connected. */
    async end(user: User, callId: string, origin: RequestContext): Promise<Call> {
      requireMember(user);
      const call = await ctx.partyOf(callId, user.id);
      if (call.state !== 'accepted') throw CallErrors.invalidState(call.state);
      const at = ctx.now();
      const row = await settle(
        callId,
        'accepted',
        { state: 'ended', ended_at: at, ended_by: user.id, end_reason: 'hangup' },
        origin,
        (r) => ({ duration_seconds: r.connected_at ? secondsBetween(r.connected_at, at) : 0 }),
      );
      if (!row) return lostTo(callId);
      await hungUp(row, 'ended', user.id, origin);
      return toCall(row, user.id);
    },
  };

  /** What the upkeep decides. */
  const upkeep = {
    /** Nobody answered in time (a due deadline, or the backstop); false if it was over already. */
    async miss(callId: string): Promise<boolean> {
      const now = clock.now().getTime();
      const row = await settle(
        callId,
        'ringing',
        { state: 'missed', ended_at: ctx.now() },
        SYSTEM_CONTEXT,
        (r) => ({
          // It stopped ringing when the timeout said so, even if we notice late.
          ended_at: new Date(
            Math.min(now, Date.parse(r.created_at) + ctx.ringTimeoutMs()),
          ).toISOString(),
        }),
      );
      if (!row) return false;
      await stopRinging(row, 'call.missed');
      return true;
    },

    /**
     * Ends an accepted call its parties left. `vanishedAt` is the best-known time they
     * did; the end is never before they connected (or the answer, if they never did).
     */
    async abandon(callId: string, vanishedAt: string): Promise<boolean> {
      const now = ctx.now();
      const row = await settle(
        callId,
        'accepted',
        { state: 'ended', ended_at: now, ended_by: null, end_reason: 'abandoned' },
        SYSTEM_CONTEXT,
        (r) => {
          const floor = r.connected_at ?? r.answered_at ?? r.created_at;
          const endedAt = later(floor, earlier(vanishedAt, now));
          return {
            ended_at: endedAt,
            duration_seconds: r.connected_at ? secondsBetween(r.connected_at, endedAt) : 0,
          };
        },
      );
      if (!row) return false;
      await hungUp(row, 'expired', null, SYSTEM_CONTEXT);
      return true;
    },
  };

  return { requests, upkeep };
}
export type CallTransitions = ReturnType<typeof createTransitions>;
