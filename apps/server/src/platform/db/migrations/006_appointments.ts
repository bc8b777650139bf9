import type { Kysely } from 'kysely';

/**
 * Scheduled appointments (issue 12). Times are ISO-8601 UTC strings like every other
 * table: they sort and compare as text on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('appointments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payment_status', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.references('rooms.id').onDelete('set null'))
    .addColumn('cancelled_at', 'text')
    .addColumn('cancelled_by', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('call_started_at', 'text')
    .addColumn('call_ended_at', 'text')
    .addColumn('call_duration_seconds', 'integer')
    .addColumn('provider_joined_at', 'text')
    .addColumn('client_joined_at', 'text')
    // In progress with neither party connected since then (an admin may still be there).
    .addColumn('parties_absent_since', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // "Mine" lists page by (starts_at, id) for each side.
  await db.schema
    .createIndex('appointments_provider_idx')
    .on('appointments')
    .columns(['provider_id', 'starts_at', 'id'])
    .execute();
  await db.schema
    .createIndex('appointments_client_idx')
    .on('appointments')
    .columns(['client_id', 'starts_at', 'id'])
    .execute();
  // The upkeep looks for open appointments whose window closed.
  await db.schema
    .createIndex('appointments_status_idx')
    .on('appointments')
    .columns(['status', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('appointments_room_idx')
    .on('appointments')
    .column('room_id')
    .unique()
    .execute();

  // The history: created, confirmed, rescheduled (old and new times), cancelled, payment…
  await db.schema
    .createTable('appointment_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('appointment_id', 'text', (c) =>
      c.notNull().references('appointments.id').onDelete('cascade'),
    )
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('appointment_events_idx')
    .on('appointment_events')
    .columns(['appointment_id', 'at', 'id'])
    .execute();

  // Payment webhook events already applied: the primary key makes "each id once" atomic.
  await db.schema
    .createTable('payment_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('appointment_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('payment_events').execute();
  await db.schema.dropTable('appointment_events').execute();
  await db.schema.dropTable('appointments').execute();
}
