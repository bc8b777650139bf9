import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { prepared } from '../../platform/db/prepared.js';
import type { ChatMessagesTable, Database } from '../../platform/db/schema.js';

type Q = Db | Transaction<Database>;

/** SQL for chat messages. Order within a room is `seq`; pages walk it backwards. */
export function createChatRepo(dialect: 'sqlite' | 'postgres') {
  // The newest messages of a room, read at every join: built and compiled once per limit
  // (the join's tail size, and the history page sizes the API allows).
  const tail = (limit: number) =>
    prepared((q: Db, roomId: string) =>
      q
        .selectFrom('chat_messages')
        .selectAll()
        .where('room_id', '=', roomId)
        .orderBy('seq', 'desc')
        .limit(limit),
    );
  const tails = new Map<number, ReturnType<typeof tail>>();
  return {
    /**
     * Stores a message with the room's next `seq`, computed in the same statement.
     * SQLite runs writers one at a time. On PostgreSQL, concurrent senders to one room
     * would compute the same number and all but one fail; retrying is a lottery a busy
     * room can lose many times in a row. So they queue on a transaction-scoped advisory
     * lock keyed by the room (the unique index stays as the guarantee).
     */
    async insert(db: Db, row: Omit<ChatMessagesTable, 'seq'>): Promise<number> {
      if (dialect === 'sqlite') return insertNext(db, row);
      return db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtextextended(${row.room_id}, 0))`.execute(trx);
        return insertNext(trx, row);
      });
    },

    /** The newest `limit` messages before `beforeSeq` (or the newest at all), newest first. */
    async newestFirst(
      q: Q,
      roomId: string,
      limit: number,
      beforeSeq?: number,
    ): Promise<ChatMessagesTable[]> {
      if (beforeSeq === undefined) {
        let newest = tails.get(limit);
        if (!newest) tails.set(limit, (newest = tail(limit)));
        return (await newest(q, roomId)).rows;
      }
      return q
        .selectFrom('chat_messages')
        .selectAll()
        .where('room_id', '=', roomId)
        .where('seq', '<', beforeSeq)
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
    },

    async seqOf(q: Q, roomId: string, id: string): Promise<number | undefined> {
      const r = await q
        .selectFrom('chat_messages')
        .select('seq')
        .where('room_id', '=', roomId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? Number(r.seq) : undefined;
    },
  };
}
export type ChatRepo = ReturnType<typeof createChatRepo>;

/** The INSERT … SELECT max(seq)+1 for one message. */
async function insertNext(q: Q, row: Omit<ChatMessagesTable, 'seq'>): Promise<number> {
  const r = await q
    .insertInto('chat_messages')
    .columns(['id', 'room_id', 'user_id', 'display_name', 'text', 'sent_at', 'seq'])
    .expression((eb) =>
      eb
        .selectFrom('chat_messages')
        .select((s) => [
          s.val(row.id).as('id'),
          s.val(row.room_id).as('room_id'),
          s.val(row.user_id).as('user_id'),
          s.val(row.display_name).as('display_name'),
          s.val(row.text).as('text'),
          s.val(row.sent_at).as('sent_at'),
          s(s.fn.coalesce(s.fn.max('seq'), s.lit(0)), '+', 1).as('seq'),
        ])
        .where('room_id', '=', row.room_id),
    )
    .returning('seq')
    .executeTakeFirstOrThrow();
  return Number(r.seq);
}
