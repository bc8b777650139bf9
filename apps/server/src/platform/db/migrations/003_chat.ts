import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chat_messages')
    // A ULID: unique everywhere, roughly time-ordered; what clients see as the id.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // The sender's name when they sent it; a later rename does not rewrite history.
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    // 1, 2, 3… per room: the order, and the paging key.
    .addColumn('seq', 'integer', (c) => c.notNull())
    .execute();
  // Unique: two concurrent inserts that drew the same next number cannot both land.
  await db.schema
    .createIndex('chat_messages_room_seq_idx')
    .on('chat_messages')
    .columns(['room_id', 'seq'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chat_messages').execute();
}
