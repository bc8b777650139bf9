import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { CallFilter } from '@parley/protocol';
import type { Db } from '../../platform/db/database.js';
import { pastKeyset } from '../../platform/keyset-cursor.js';
import type { KeysetCursor } from '../../platform/keyset-cursor.js';
import type {
  CallSignalsTable,
  CallStateColumn,
  CallsTable,
  Database,
} from '../../platform/db/schema.js';

/** The database or a transaction: every repo function runs in either. */
export type Q = Db | Transaction<Database>;
export type Trx = Transaction<Database>;

/** A call with what its view needs from other tables: the parties' names, the room's code. */
export type CallRow = CallsTable & {
  caller_name: string;
  callee_name: string;
  room_code: string | null;
};

/** Where a page of history starts: strictly older than this call (the reaper: newer). */
export type CallCursor = KeysetCursor;

/** A text parameter in a SELECT list: PostgreSQL needs its type spelled out. */
const text = (v: string) => sql<string>`cast(${v} as text)`;

/** SQL for calls, their lines and their signal logs. Every function takes the db or a transaction. */
export const callsRepo = {
  async insertCall(q: Q, row: CallsTable): Promise<void> {
    await q.insertInto('calls').values(row).execute();
  },

  /**
   * Takes the user's line for the call; false when they hold one already (another
   * ringing or accepted call). One statement, so concurrent calls to one person cannot
   * both take it; on PostgreSQL a competing uncommitted insert is waited for.
   */
  async claimLine(q: Q, userId: string, callId: string): Promise<boolean> {
    const r = await q
      .insertInto('call_lines')
      .values({ user_id: userId, call_id: callId })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .executeTakeFirst();
    return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  },

  async releaseLines(q: Q, callId: string): Promise<void> {
    await q.deleteFrom('call_lines').where('call_id', '=', callId).execute();
  },

  /**
   * Moves the call on only if it is still in `from`: the one statement that makes two
   * accepts, or an accept and a cancel, give exactly one winner on both dialects.
   */
  async transition(
    q: Q,
    id: string,
    from: CallStateColumn,
    set: Partial<CallsTable>,
  ): Promise<boolean> {
    const r = await q
      .updateTable('calls')
      .set(set)
      .where('id', '=', id)
      .where('state', '=', from)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },

  async update(q: Q, id: string, set: Partial<CallsTable>): Promise<void> {
    await q.updateTable('calls').set(set).where('id', '=', id).execute();
  },

  async find(q: Q, id: string): Promise<CallRow | undefined> {
    return withNames(q).where('calls.id', '=', id).executeTakeFirst();
  },

  /** Newest first, by (created_at, id); one row more than `limit` tells whether more exist. */
  async page(
    q: Q,
    userId: string,
    filter: CallFilter,
    after: CallCursor | undefined,
    limit: number,
  ): Promise<CallRow[]> {
    let query = withNames(q);
    switch (filter) {
      case 'missed':
        // The phone's "missed" list: calls to me nobody answered.
        query = query.where('calls.callee_id', '=', userId).where('calls.state', '=', 'missed');
        break;
      case 'active':
        query = query
          .where((eb) =>
            eb.or([eb('calls.caller_id', '=', userId), eb('calls.callee_id', '=', userId)]),
          )
          .where('calls.state', 'in', ['ringing', 'accepted']);
        break;
      case 'all':
        query = query.where((eb) =>
          eb.or([eb('calls.caller_id', '=', userId), eb('calls.callee_id', '=', userId)]),
        );
        break;
    }
    if (after) query = query.where(pastKeyset(['calls.created_at', 'calls.id'], after));
    return query
      .orderBy('calls.created_at', 'desc')
      .orderBy('calls.id', 'desc')
      .limit(limit + 1)
      .execute();
  },

  /** Missed calls to `userId` they have not marked seen: the badge. */
  async unseenMissed(q: Q, userId: string): Promise<number> {
    const r = await q
      .selectFrom('calls')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('callee_id', '=', userId)
      .where('state', '=', 'missed')
      .where('callee_seen_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** The first look counts: a second one keeps the first time. */
  async markSeen(q: Q, id: string, at: string): Promise<void> {
    await q
      .updateTable('calls')
      .set({ callee_seen_at: at })
      .where('id', '=', id)
      .where('callee_seen_at', 'is', null)
      .execute();
  },

  /** Both parties are in the room now: the first time only, and only while accepted. */
  async markConnected(q: Q, roomId: string, at: string): Promise<void> {
    await q
      .updateTable('calls')
      .set({ connected_at: at })
      .where('room_id', '=', roomId)
      .where('state', '=', 'accepted')
      .where('connected_at', 'is', null)
      .execute();
  },

  /**
   * Logs a signal of the accepted call in `roomId`, sent by one of its parties, unless
   * the call already has `max` entries: one INSERT … SELECT, so no separate read races it.
   */
  async logSignal(
    q: Q,
    roomId: string,
    s: Pick<CallSignalsTable, 'id' | 'from_user_id' | 'kind' | 'at'>,
    max: number,
  ): Promise<void> {
    await q
      .insertInto('call_signals')
      .columns(['id', 'call_id', 'from_user_id', 'kind', 'at'])
      .expression((eb) =>
        eb
          .selectFrom('calls')
          .select([
            text(s.id).as('id'),
            'calls.id as call_id',
            text(s.from_user_id).as('from_user_id'),
            text(s.kind).as('kind'),
            text(s.at).as('at'),
          ])
          .where('calls.room_id', '=', roomId)
          .where('calls.state', '=', 'accepted')
          .where((w) =>
            w.or([
              w('calls.caller_id', '=', s.from_user_id),
              w('calls.callee_id', '=', s.from_user_id),
            ]),
          )
          .where(
            (w) =>
              w
                .selectFrom('call_signals')
                .select((c) => c.fn.countAll().as('n'))
                .whereRef('call_signals.call_id', '=', 'calls.id'),
            '<',
            max,
          ),
      )
      .execute();
  },

  async signals(q: Q, callId: string): Promise<CallSignalsTable[]> {
    return q
      .selectFrom('call_signals')
      .selectAll()
      .where('call_id', '=', callId)
      .orderBy('at')
      .orderBy('id')
      .execute();
  },

  /** Ringing calls created before `before`: those whose ring deadline was lost. */
  async ringingSince(q: Q, before: string, limit: number): Promise<string[]> {
    const rows = await q
      .selectFrom('calls')
      .select('id')
      .where('state', '=', 'ringing')
      .where('created_at', '<', before)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },

  /** A page of accepted calls, oldest first, after `after` (the reaper checks their rooms). */
  async accepted(
    q: Q,
    after: CallCursor | undefined,
    limit: number,
  ): Promise<Pick<CallsTable, 'id' | 'room_id' | 'created_at' | 'answered_at' | 'connected_at'>[]> {
    let query = q
      .selectFrom('calls')
      .select(['id', 'room_id', 'created_at', 'answered_at', 'connected_at'])
      .where('state', '=', 'accepted');
    if (after) query = query.where(pastKeyset(['created_at', 'id'], after, 'asc'));
    return query.orderBy('created_at').orderBy('id').limit(limit).execute();
  },
};
export type CallsRepo = typeof callsRepo;

function withNames(q: Q) {
  return q
    .selectFrom('calls')
    .innerJoin('users as caller', 'caller.id', 'calls.caller_id')
    .innerJoin('users as callee', 'callee.id', 'calls.callee_id')
    .leftJoin('rooms', 'rooms.id', 'calls.room_id')
    .selectAll('calls')
    .select([
      'caller.display_name as caller_name',
      'callee.display_name as callee_name',
      'rooms.code as room_code',
    ]);
}
