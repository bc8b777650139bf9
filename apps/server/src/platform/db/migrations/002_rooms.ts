import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('host_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('chat_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('max_participants', 'integer', (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('close_reason', 'text')
    // When the last connection left (or creation time); the cleanup job closes rooms
    // that stay empty past the configured time. Null while someone is connected.
    .addColumn('empty_since', 'text')
    .execute();
  await db.schema.createIndex('rooms_host_idx').on('rooms').column('host_id').execute();
  await db.schema
    .createIndex('rooms_status_idx')
    .on('rooms')
    .columns(['status', 'visibility'])
    .execute();

  await db.schema
    .createTable('room_participants')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addPrimaryKeyConstraint('room_participants_pk', ['room_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('room_participants_user_idx')
    .on('room_participants')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('room_invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('max_uses', 'integer')
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('room_activity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .execute();
  await db.schema
    .createIndex('room_activity_room_idx')
    .on('room_activity')
    .columns(['room_id', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['room_activity', 'room_invites', 'room_participants', 'rooms']) {
    await db.schema.dropTable(t).execute();
  }
}
