import type { Kysely } from 'kysely';

/**
 * Start-up and periodic recovery after a crash look for open rooms by `empty_since`
 * (unattended rooms: null; the cleanup job: older than the timeout), so one index
 * serves both without reading closed rooms.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('rooms_status_empty_idx')
    .on('rooms')
    .columns(['status', 'empty_since'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rooms_status_empty_idx').execute();
}
