import type { Kysely } from 'kysely';

/**
 * Meetings as people expect them:
 * - `rooms.instant`: only ad-hoc rooms ("Start an instant meeting") close when left empty;
 *   every other room (those made before this migration too) stays until its host ends it.
 * - `rooms.meeting_started_at`: when the meeting going on now began (server clock), so
 *   every participant's timer shows the same time.
 * - `room_invites.skip_lobby`: an invite that lets its holder past an approval room's lobby.
 * - `room_participants.invite_id`: the invite a waiting person came with, so revoking it
 *   also turns them away.
 * - `room_participants.client_key`: a guest's network (IPv4 address or IPv6 /64), so a
 *   kicked guest coming back as a new guest from the same network waits in the lobby.
 * Invites made from now on use their short code as `id`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rooms')
    .addColumn('instant', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('rooms').addColumn('meeting_started_at', 'text').execute();
  await db.schema
    .alterTable('room_invites')
    .addColumn('skip_lobby', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('room_participants').addColumn('invite_id', 'text').execute();
  await db.schema.alterTable('room_participants').addColumn('client_key', 'text').execute();
  await db.schema
    .createIndex('room_invites_room_created_idx')
    .on('room_invites')
    .columns(['room_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('room_invites_room_created_idx').execute();
  await db.schema.alterTable('room_participants').dropColumn('client_key').execute();
  await db.schema.alterTable('room_participants').dropColumn('invite_id').execute();
  await db.schema.alterTable('room_invites').dropColumn('skip_lobby').execute();
  await db.schema.alterTable('rooms').dropColumn('meeting_started_at').execute();
  await db.schema.alterTable('rooms').dropColumn('instant').execute();
}
