import type { Transaction } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { ChatMessagesTable, Database } from '../../platform/db/schema.js';

type Q = Db | Transaction<Database>;

/** SQL for chat messages. Order within a room is `seq`; pages walk it backwards. */
export function createChatRepo() {
  return {
    /**
     * Stores a message with the room's next `seq`, computed in the same statement.
     * SQLite runs it alone; on PostgreSQL two concurrent senders may compute the same
     * number, and the unique index makes the second fail (the caller retries).
     */
    async insert(q: Q, row: Omit<ChatMessagesTable, 'seq'>): Promise<number> {
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
    },

    /** The newest `limit` messages before `beforeSeq` (or the newest at all), newest first. */
    async newestFirst(
      q: Q,
      roomId: string,
      limit: number,
      beforeSeq?: number,
    ): Promise<ChatMessagesTable[]> {
      let query = q.selectFrom('chat_messages').selectAll().where('room_id', '=', roomId);
      if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
      return query.orderBy('seq', 'desc').limit(limit).execute();
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
