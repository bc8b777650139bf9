import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Operations (issue 13): the append-only audit log, the live system settings and the
 * per-minute samples behind the admin page's chart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    // A ULID: unique, and sorts by time, so pages run on the id alone.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    // JSON object text.
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
  await db.schema
    .createIndex('audit_events_type_idx')
    .on('audit_events')
    .columns(['type', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_events_actor_idx')
    .on('audit_events')
    .columns(['actor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_events_target_idx')
    .on('audit_events')
    .columns(['target_id', 'id'])
    .execute();

  await db.schema
    .createTable('system_settings')
    // One row per section (`registration`, `rooms`, …), its value as JSON text.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('metric_samples')
    // The minute (ISO, seconds zeroed): every process may try, the first one wins.
    .addColumn('at', 'text', (c) => c.primaryKey())
    .addColumn('participants', 'integer', (c) => c.notNull())
    .addColumn('rooms', 'integer', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    .execute();

  // The admin lists page newest first on (created_at, id): accounts (guests pile up),
  // rooms and direct calls.
  for (const table of ['users', 'rooms', 'calls']) {
    await db.schema
      .createIndex(`${table}_created_idx`)
      .on(table)
      .columns(['created_at', 'id'])
      .execute();
  }
  // The accounts list leaves guests out unless asked: that default reads this one.
  await db.schema
    .createIndex('users_guest_created_idx')
    .on('users')
    .columns(['is_guest', 'created_at', 'id'])
    .execute();
  // The admin search matches the start of an email (`email LIKE 'ann%'`). PostgreSQL serves
  // a LIKE prefix from a btree only in the pattern operator class (unless the database
  // collation is C), so it gets one; SQLite's LIKE is case-insensitive and would need a
  // NOCASE index, which the name search beside it (an OR) lacks anyway.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db.schema
      .createIndex('users_email_pattern_idx')
      .on('users')
      .expression(sql`email text_pattern_ops`)
      .execute();
  }
  // The audit log filtered by client address, newest first.
  await db.schema
    .createIndex('audit_events_ip_idx')
    .on('audit_events')
    .columns(['ip', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('users_email_pattern_idx').ifExists().execute();
  await db.schema.dropIndex('users_guest_created_idx').execute();
  for (const table of ['calls', 'rooms', 'users']) {
    await db.schema.dropIndex(`${table}_created_idx`).execute();
  }
  await db.schema.dropTable('metric_samples').execute();
  await db.schema.dropTable('system_settings').execute();
  await db.schema.dropTable('audit_events').execute();
}
