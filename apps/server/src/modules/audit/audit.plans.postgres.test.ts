import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../platform/db/database.js';
import { TEST_DATABASE_URL, testDatabase } from '../../test/harness.js';
import { capturing, explain } from '../../test/query-plan.js';
import { auditPage } from './repo.js';

// The audit log filtered by a client address, on PostgreSQL over tens of thousands of
// entries: one range of the (ip, id) index, the cursor included, not a walk of every entry.

const N = 20_000;

describe.skipIf(!TEST_DATABASE_URL)('the audit log on PostgreSQL', () => {
  let h: DbHandle;

  beforeAll(async () => {
    h = await testDatabase('postgres');
    // Sign-ins from 500 addresses; ids sort as ULIDs do (by time).
    await sql`
      insert into audit_events (id, at, type, ip, details)
      select lpad(i::text, 26, '0'),
             to_char(timestamp '2026-01-01' + i * interval '1 minute',
                     'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'auth.login', '10.0.' || (i % 500) || '.1', '{}'
      from generate_series(1, ${N}) i`.execute(h.db);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('one address, a late page: one range of (ip, id)', async () => {
    const { db, queries } = capturing(h.db);
    await auditPage(db, { ip: '10.0.7.1', limit: 50, cursor: '0'.repeat(21) + '15000' });
    expect(queries).toHaveLength(1);
    const plan = (await explain(h.db, queries[0]!)).join('\n');
    expect(plan).toMatch(/Index Scan (Backward )?(using|on) audit_events_ip_idx/);
    expect(plan).toMatch(/Index Cond: \(\(ip = '10\.0\.7\.1'::text\) AND \(id < /);
  });
});
