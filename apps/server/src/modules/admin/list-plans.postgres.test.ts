import type { AdminUsersQuery, User } from '@parley/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { DbHandle } from '../../platform/db/database.js';
import { encodeKeyset } from '../../platform/keyset-cursor.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import { TEST_DATABASE_URL, testDatabase } from '../../test/harness.js';
import { capturing, explain } from '../../test/query-plan.js';
import { createUserDirectory } from '../users/index.js';
import { createAdminService } from './service.js';

// The admin lists on PostgreSQL, over tens of thousands of rows: every page, the later ones
// included, is one range of an index read newest first — the cursor is part of the index
// condition, not a filter applied row by row (which makes late pages slow on large tables).

const N = 20_000;
const admin: User = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'admin@example.org',
  displayName: 'Admin',
  role: 'admin',
  isGuest: false,
  createdAt: '2025-01-01T00:00:00.000Z',
  lastSeenAt: null,
};
/** A cursor in the middle of the generated rows (`i` minutes into 2026). */
const cursorAt = (i: number) =>
  encodeKeyset({
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    id: 'ffffffff-ffff-4fff-8fff-ffffffffffff',
  });
const iso = (i: string) =>
  sql.raw(
    `to_char(timestamp '2026-01-01' + ${i} * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  );

describe.skipIf(!TEST_DATABASE_URL)('the admin lists on PostgreSQL', () => {
  let h: DbHandle;
  const clock = new ManualClock(new Date('2026-03-01T00:00:00.000Z'));
  const live = createMemoryLiveState(clock);

  beforeAll(async () => {
    h = await testDatabase('postgres');
    // Nine accounts in ten are guests (one per visit: they pile up); every fourth room closed.
    await sql`
      insert into users (id, email, password_hash, display_name, role, is_guest, created_at,
                         search_name, do_not_disturb)
      select md5(i::text)::uuid::text,
             case when i % 10 = 0 then 'u' || i || '@example.org' end, null,
             'User ' || i, 'member', case when i % 10 = 0 then 0 else 1 end, ${iso('i')},
             'user ' || i, 0
      from generate_series(1, ${N}) i`.execute(h.db);
    await sql`
      insert into rooms (id, code, name, host_id, visibility, entry, chat_enabled,
                         max_participants, locked, status, created_at, empty_since, kind)
      select md5('r' || i)::uuid::text, 'r' || i, 'Room ' || i, md5('1')::uuid::text,
             'private', 'open', 1, 10, 0, case when i % 4 = 0 then 'closed' else 'open' end,
             ${iso('i')}, case when i % 2 = 0 then ${iso('i')} end, 'meeting'
      from generate_series(1, ${N}) i`.execute(h.db);
    await sql`
      insert into calls (id, caller_id, callee_id, media, state, created_at)
      select md5('c' || i)::uuid::text, md5('1')::uuid::text, md5('2')::uuid::text, 'audio',
             'ended', ${iso('i')}
      from generate_series(1, ${N}) i`.execute(h.db);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await live.close();
  });

  /** The plan of the one query `run` sends. */
  async function planOf(run: (db: DbHandle['db']) => Promise<unknown>): Promise<string> {
    const { db, queries } = capturing(h.db);
    await run(db);
    const [query] = queries;
    if (queries.length !== 1 || !query) throw new Error(`${queries.length} queries`);
    return (await explain(h.db, query)).join('\n');
  }
  const users = (q: Partial<AdminUsersQuery>) =>
    planOf((db) =>
      createUserDirectory({ db, roster: live.roster, clock }).list(admin, {
        status: 'all',
        guests: 'exclude',
        limit: 50,
        ...q,
      }),
    );
  const adminService = (db: DbHandle['db']) =>
    createAdminService({ db, roster: live.roster, closeRoom: () => Promise.resolve(false) });

  it('accounts, guests left out (the default), a late page: one range of (is_guest, created_at, id)', async () => {
    const plan = await users({ cursor: cursorAt(1_000) });
    expect(plan).toMatch(/Index Scan Backward using users_guest_created_idx on users/);
    expect(plan).toMatch(/Index Cond: \(\(is_guest = 0\) AND \(ROW\(created_at, id\) < ROW\(/);
    expect(plan).not.toMatch(/Seq Scan|Sort/);
  });

  it('every account, a late page: one range of (created_at, id)', async () => {
    const plan = await users({ guests: 'include', cursor: cursorAt(1_000) });
    expect(plan).toMatch(/Index Scan Backward using users_created_idx on users/);
    expect(plan).toMatch(/Index Cond: \(ROW\(created_at, id\) < ROW\(/);
  });

  it('a search by the start of a name or an email reads both pattern indexes', async () => {
    const plan = await users({ q: 'u1999' });
    expect(plan).toMatch(/Bitmap Index Scan on users_search_name_idx/);
    expect(plan).toMatch(/Bitmap Index Scan on users_email_pattern_idx/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it('rooms, a late page: one range of (created_at, id)', async () => {
    const plan = await planOf((db) =>
      adminService(db).rooms(admin, { status: 'open', limit: 50, cursor: cursorAt(5_000) }),
    );
    expect(plan).toMatch(/Index Scan Backward using rooms_created_idx on rooms/);
    expect(plan).toMatch(/Index Cond: \(ROW\(created_at, id\) < ROW\(/);
    expect(plan).not.toMatch(/Seq Scan on rooms|Sort/);
  });

  it('direct calls, a late page: one range of (created_at, id)', async () => {
    const plan = await planOf((db) =>
      adminService(db).calls(admin, { limit: 50, cursor: cursorAt(5_000) }),
    );
    expect(plan).toMatch(/Index Scan Backward using calls_created_idx on calls/);
    expect(plan).toMatch(/Index Cond: \(ROW\(created_at, id\) < ROW\(/);
  });
});
