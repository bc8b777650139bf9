import type { Call, User } from '@parley/protocol';
import { CallErrors } from './errors.js';
import type { CallsServiceDeps } from './ports.js';
import { callsRepo } from './repo.js';
import type { CallRow, CallsRepo } from './repo.js';
import { toCall } from './views.js';

/** The call notices, all `{ type, call }` sent to a party's every device. */
export type CallNotice =
  | 'call.incoming'
  | 'call.accepted'
  | 'call.answered-elsewhere'
  | 'call.rejected'
  | 'call.cancelled'
  | 'call.missed'
  | 'call.busy'
  | 'call.ended';

/** What the parts of the calls service share: their deps plus a few helpers. */
export type CallsContext = CallsServiceDeps & {
  repo: CallsRepo;
  /** The app clock as stored (ISO-8601 UTC). */
  now(): string;
  /** How long a new call rings: the live setting `calls.ringTimeoutSeconds`, read now. */
  ringTimeoutMs(): number;
  /** Sends `type` to one party or both, each with the call as they see it. */
  tell(row: CallRow, type: CallNotice, to: 'caller' | 'callee' | 'both'): Promise<void>;
  /**
   * Runs a step that follows a committed change (notices, deadlines, closing the room):
   * a failure is logged and never turns the change into an error for the requester.
   */
  afterCommit(step: string, work: () => Promise<unknown>): Promise<void>;
  /** The call, if `userId` is one of its parties; anyone else gets the 404 of no call. */
  partyOf(callId: string, userId: string): Promise<CallRow>;
};

export function createCallsContext(deps: CallsServiceDeps): CallsContext {
  const repo = callsRepo;
  return {
    ...deps,
    repo,
    now: () => deps.clock.now().toISOString(),
    ringTimeoutMs: () => {
      const s = deps.settings?.get().calls;
      return s ? s.ringTimeoutSeconds * 1000 : deps.timing.ringTimeoutMs;
    },
    async tell(row, type, to) {
      const ids =
        to === 'both'
          ? [row.caller_id, row.callee_id]
          : [to === 'caller' ? row.caller_id : row.callee_id];
      for (const id of ids) {
        const call: Call = toCall(row, id);
        await deps.bus.toUser(id, { type, call });
      }
    },
    async afterCommit(step, work) {
      try {
        await work();
      } catch (err) {
        deps.onError(err, step);
      }
    },
    async partyOf(callId, userId) {
      const row = await repo.find(deps.db, callId);
      if (!row || (row.caller_id !== userId && row.callee_id !== userId))
        throw CallErrors.notFound();
      return row;
    },
  };
}

/** Direct calls are for accounts: a guest is refused every call route. */
export function requireMember(user: User): void {
  if (user.isGuest) throw CallErrors.membersOnly();
}
