import type {
  Call,
  CallSignalsResponse,
  ListCallsQuery,
  ListCallsResponse,
  User,
} from '@parley/protocol';
import type { CallsContext } from './context.js';
import { requireMember } from './context.js';
import { CallErrors } from './errors.js';
import { keysetFrom, keysetPage } from '../../platform/keyset-cursor.js';
import { toCall, toSignal } from './views.js';

/** Reading calls: the history with its badge, one call, the signal log, "seen". */
export function createHistory(ctx: CallsContext) {
  const { db, repo } = ctx;
  return {
    async list(user: User, query: ListCallsQuery): Promise<ListCallsResponse> {
      requireMember(user);
      const rows = await repo.page(
        db,
        user.id,
        query.filter,
        keysetFrom(query.cursor),
        query.limit,
      );
      const { page, nextCursor } = keysetPage(rows, query.limit);
      return {
        calls: page.map((r) => toCall(r, user.id)),
        nextCursor,
        unseenMissed: await repo.unseenMissed(db, user.id),
      };
    },

    async get(user: User, callId: string): Promise<Call> {
      requireMember(user);
      return toCall(await ctx.partyOf(callId, user.id), user.id);
    },

    /** The callee has looked at a missed call; repeating it changes nothing. */
    async seen(user: User, callId: string): Promise<Call> {
      requireMember(user);
      const row = await ctx.partyOf(callId, user.id);
      if (row.callee_id !== user.id)
        throw CallErrors.notParty('Only the person called marks a missed call seen.');
      if (row.state !== 'missed') throw CallErrors.invalidState(row.state);
      await repo.markSeen(db, callId, ctx.now());
      return toCall((await repo.find(db, callId))!, user.id);
    },

    async signals(user: User, callId: string): Promise<CallSignalsResponse> {
      requireMember(user);
      await ctx.partyOf(callId, user.id);
      const rows = await repo.signals(db, callId);
      return { signals: rows.map((s) => toSignal(s, user.id)) };
    },
  };
}
