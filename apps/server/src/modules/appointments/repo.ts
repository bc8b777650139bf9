import { sql } from 'kysely';
import type { Expression, SqlBool, Transaction } from 'kysely';
import { OPEN_APPOINTMENT_STATUSES } from '@parley/protocol';
import type { AppointmentStatus } from '@parley/protocol';
import type { Db } from '../../platform/db/database.js';
import type {
  AppointmentEventsTable,
  AppointmentsTable,
  Database,
} from '../../platform/db/schema.js';

/** The database or a transaction: every repo function runs in either. */
export type Q = Db | Transaction<Database>;
export type Trx = Transaction<Database>;

/** The statuses after which an appointment's room has no use. */
const FINISHED_STATUSES = ['completed', 'cancelled', 'no_show'] as const;

/** An appointment with what its view needs from other tables: names, the room's code. */
export type AppointmentRow = AppointmentsTable & {
  provider_name: string;
  client_name: string;
  room_code: string | null;
};

export type AppointmentEventRow = AppointmentEventsTable & { actor_name: string | null };

/** Where a page of a list starts: strictly after this appointment in the list's order. */
export type AppointmentCursor = { startsAt: string; id: string };

/**
 * The keyset clause of a page over `appointments as a` ordered by (starts_at, id): the
 * rows strictly after `c` in that order, ascending or descending.
 */
export function afterCursor(c: AppointmentCursor, dir: 'asc' | 'desc'): Expression<SqlBool> {
  const cmp = sql.raw(dir === 'asc' ? '>' : '<');
  const startsAt = sql.ref('a.starts_at');
  return sql<SqlBool>`(${startsAt} ${cmp} ${c.startsAt} or (${startsAt} = ${c.startsAt} and ${sql.ref('a.id')} ${cmp} ${c.id}))`;
}

/** A new appointment: the presence bookkeeping starts empty. */
export type NewAppointment = Omit<AppointmentsTable, 'parties_absent_since'> &
  Partial<Pick<AppointmentsTable, 'parties_absent_since'>>;

/** Which of a person's appointments a list shows. */
export type AppointmentListFilter = {
  userId: string;
  /** `upcoming`: still open, soonest first; `past`: over, latest first. */
  when: 'upcoming' | 'past';
  /** Only where the user is this side; both when undefined; `all`: anyone's (admins). */
  as: 'provider' | 'client' | 'all' | undefined;
};

/** The columns a change may set (never the id, the parties or the creation). */
export type AppointmentPatch = Partial<
  Omit<AppointmentsTable, 'id' | 'provider_id' | 'client_id' | 'created_by' | 'created_at'>
>;

/** SQL for appointments and their history. Every function takes the db or a transaction. */
export function createAppointmentsRepo(dialect: 'sqlite' | 'postgres') {
  const select = (q: Q) =>
    q
      .selectFrom('appointments as a')
      .innerJoin('users as p', 'p.id', 'a.provider_id')
      .innerJoin('users as c', 'c.id', 'a.client_id')
      .leftJoin('rooms as r', 'r.id', 'a.room_id')
      .selectAll('a')
      .select([
        'p.display_name as provider_name',
        'c.display_name as client_name',
        'r.code as room_code',
      ]);

  return {
    /** The shared SELECT (names and room code joined): list queries build on it. */
    select,

    async insert(q: Q, row: NewAppointment): Promise<void> {
      await q
        .insertInto('appointments')
        .values({ parties_absent_since: null, ...row })
        .execute();
    },

    /**
     * Reads one; with `lock` inside a PostgreSQL transaction it also locks the row, so
     * concurrent changes to one appointment queue (SQLite serializes writers anyway).
     */
    async find(
      q: Q,
      id: string,
      opts: { lock?: boolean } = {},
    ): Promise<AppointmentRow | undefined> {
      if (opts.lock && dialect === 'postgres') {
        await q.selectFrom('appointments').select('id').where('id', '=', id).forUpdate().execute();
      }
      return select(q).where('a.id', '=', id).executeTakeFirst();
    },

    async findByRoom(q: Q, roomId: string): Promise<AppointmentRow | undefined> {
      return select(q).where('a.room_id', '=', roomId).executeTakeFirst();
    },

    /**
     * Applies `patch` only while the status is one of `from`: the one statement that
     * gives concurrent changes (confirm vs cancel, the upkeep vs a join) one winner.
     */
    async transition(
      q: Q,
      id: string,
      from: readonly AppointmentStatus[],
      patch: AppointmentPatch,
    ): Promise<boolean> {
      const r = await q
        .updateTable('appointments')
        .set(patch)
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** Sets a time column only if it is still empty (first arrival, call start). */
    async setOnce(
      q: Q,
      id: string,
      column: 'provider_joined_at' | 'client_joined_at' | 'call_started_at',
      at: string,
    ): Promise<boolean> {
      const r = await q
        .updateTable('appointments')
        .set({ [column]: at, updated_at: at })
        .where('id', '=', id)
        .where(column, 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /**
     * Neither party is in the call since `at` (kept if already set: the earliest absence
     * counts), or (`at` null) one is back. Only while in progress: afterwards the last
     * absence stays as the record of when the call ended.
     */
    async partiesAbsent(q: Q, id: string, at: string | null): Promise<boolean> {
      const r = await q
        .updateTable('appointments')
        .set({ parties_absent_since: at })
        .where('id', '=', id)
        .where('status', '=', 'in_progress')
        .where('parties_absent_since', at === null ? 'is not' : 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /**
     * Open rooms of finished appointments (a close that failed after the change), by
     * room id after `afterRoomId`.
     */
    async openRoomsOfFinished(
      q: Q,
      afterRoomId: string | undefined,
      limit: number,
    ): Promise<{ roomId: string; status: AppointmentStatus }[]> {
      let query = q
        .selectFrom('rooms as r')
        .innerJoin('appointments as a', 'a.room_id', 'r.id')
        .select(['r.id as roomId', 'a.status'])
        .where('r.kind', '=', 'appointment')
        .where('r.status', '=', 'open')
        .where('a.status', 'in', [...FINISHED_STATUSES]);
      if (afterRoomId !== undefined) query = query.where('r.id', '>', afterRoomId);
      return query.orderBy('r.id').limit(limit).execute();
    },

    async recordEvent(
      q: Q,
      e: Omit<AppointmentEventsTable, 'details'> & { details?: Record<string, unknown> },
    ): Promise<void> {
      await q
        .insertInto('appointment_events')
        .values({ ...e, details: JSON.stringify(e.details ?? {}) })
        .execute();
    },

    /** The history, oldest first. */
    async history(q: Q, id: string): Promise<AppointmentEventRow[]> {
      return q
        .selectFrom('appointment_events as e')
        .leftJoin('users as u', 'u.id', 'e.actor_id')
        .selectAll('e')
        .select('u.display_name as actor_name')
        .where('e.appointment_id', '=', id)
        .orderBy('e.at')
        .orderBy('e.id')
        .execute();
    },

    /** One page of a person's list; one row more than `limit` tells whether more exist. */
    async page(
      q: Q,
      f: AppointmentListFilter,
      after: AppointmentCursor | undefined,
      limit: number,
    ): Promise<AppointmentRow[]> {
      const upcoming = f.when === 'upcoming';
      const dir = upcoming ? 'asc' : 'desc';
      let query = select(q).where('a.status', upcoming ? 'in' : 'not in', [
        ...OPEN_APPOINTMENT_STATUSES,
      ]);
      query =
        f.as === 'provider'
          ? query.where('a.provider_id', '=', f.userId)
          : f.as === 'client'
            ? query.where('a.client_id', '=', f.userId)
            : f.as === 'all'
              ? query
              : query.where((eb) =>
                  eb.or([eb('a.provider_id', '=', f.userId), eb('a.client_id', '=', f.userId)]),
                );
      if (after) query = query.where(afterCursor(after, dir));
      return query
        .orderBy('a.starts_at', dir)
        .orderBy('a.id', dir)
        .limit(limit + 1)
        .execute();
    },

    /**
     * An open appointment of any of `userIds` (either side) overlapping `[startsAt,
     * endsAt)`, other than `exceptId`. Stored times are ISO-8601 UTC: they compare as text.
     */
    async overlapping(
      q: Q,
      userIds: readonly string[],
      startsAt: string,
      endsAt: string,
      exceptId?: string,
    ): Promise<Pick<AppointmentsTable, 'id' | 'provider_id' | 'client_id'> | undefined> {
      let query = q
        .selectFrom('appointments')
        .select(['id', 'provider_id', 'client_id'])
        .where('status', 'in', [...OPEN_APPOINTMENT_STATUSES])
        .where((eb) =>
          eb.or([eb('provider_id', 'in', [...userIds]), eb('client_id', 'in', [...userIds])]),
        )
        .where('starts_at', '<', endsAt)
        .where('ends_at', '>', startsAt);
      if (exceptId) query = query.where('id', '!=', exceptId);
      return query.orderBy('starts_at').limit(1).executeTakeFirst();
    },

    /**
     * Serializes bookings that involve any of these people until `trx` ends: on
     * PostgreSQL a transaction-scoped advisory lock per person, taken in id order so two
     * bookings of the same pair cannot deadlock. SQLite runs one writer at a time anyway.
     */
    async lockPeople(trx: Trx, userIds: readonly string[]): Promise<void> {
      if (dialect !== 'postgres') return;
      for (const id of [...new Set(userIds)].sort()) {
        await sql`select pg_advisory_xact_lock(hashtextextended(${id}, 0))`.execute(trx);
      }
    },

    /** Whether the room exists and is still open. */
    async roomIsOpen(q: Q, roomId: string): Promise<boolean> {
      const r = await q
        .selectFrom('rooms')
        .select('status')
        .where('id', '=', roomId)
        .executeTakeFirst();
      return r?.status === 'open';
    },
  };
}
export type AppointmentsRepo = ReturnType<typeof createAppointmentsRepo>;
