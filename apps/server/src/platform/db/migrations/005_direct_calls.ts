import { PostgresAdapter, sql } from 'kysely';
import { searchKey } from '../../search-key.js';
import type { Kysely } from 'kysely';

/**
 * Direct calls, contacts, blocks and presence (issue 11).
 *
 * `call_lines` is what makes "busy" atomic on both dialects: a user in a ringing or
 * accepted call holds one row (primary key: the user), inserted with the call and
 * deleted when it ends. Two calls racing for the same person cannot both insert.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('do_not_disturb', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Search by display-name prefix, case-insensitive (`search_name LIKE 'ab%'`): a column
  // folded in JavaScript, because SQLite's lower() leaves "Иван" and "Ölaf" as they are.
  await db.schema
    .alterTable('users')
    .addColumn('search_name', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  const users = await db
    .selectFrom('users' as never)
    .select(['id', 'display_name'] as never[])
    .execute();
  for (const u of users as { id: string; display_name: string }[]) {
    await db
      .updateTable('users' as never)
      .set({ search_name: searchKey(u.display_name) } as never)
      .where('id' as never, '=', u.id as never)
      .execute();
  }
  // PostgreSQL uses a btree for a LIKE prefix only with the pattern operator class
  // (unless the database collation is C); SQLite's plain index serves it as is.
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createIndex('users_search_name_idx')
    .on('users')
    .expression(postgres ? sql`search_name text_pattern_ops` : sql`search_name`)
    .execute();
  await db.schema
    .alterTable('rooms')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('meeting'))
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['owner_id', 'contact_id'])
    .execute();
  // presence.changed goes to everyone who has the person as a contact.
  await db.schema.createIndex('contacts_contact_idx').on('contacts').column('contact_id').execute();

  await db.schema
    .createTable('blocks')
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('blocked_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['owner_id', 'blocked_id'])
    .execute();

  await db.schema
    .createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('caller_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('callee_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.references('rooms.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('connected_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('duration_seconds', 'integer')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    // Missed calls the callee has looked at (the badge counts the others).
    .addColumn('callee_seen_at', 'text')
    .execute();
  await db.schema
    .createIndex('calls_caller_idx')
    .on('calls')
    .columns(['caller_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('calls_callee_idx')
    .on('calls')
    .columns(['callee_id', 'created_at', 'id'])
    .execute();
  // The ring timeout and the reaper look for ringing and accepted calls only.
  await db.schema
    .createIndex('calls_state_idx')
    .on('calls')
    .columns(['state', 'created_at'])
    .execute();
  await db.schema.createIndex('calls_room_idx').on('calls').column('room_id').execute();

  await db.schema
    .createTable('call_lines')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('call_lines_call_idx').on('call_lines').column('call_id').execute();

  await db.schema
    .createTable('call_signals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('from_user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('call_signals_call_idx')
    .on('call_signals')
    .columns(['call_id', 'at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('call_signals').execute();
  await db.schema.dropTable('call_lines').execute();
  await db.schema.dropTable('calls').execute();
  await db.schema.dropTable('blocks').execute();
  await db.schema.dropTable('contacts').execute();
  await db.schema.alterTable('rooms').dropColumn('kind').execute();
  await db.schema.dropIndex('users_search_name_idx').execute();
  await db.schema.alterTable('users').dropColumn('search_name').execute();
  await db.schema.alterTable('users').dropColumn('do_not_disturb').execute();
}
