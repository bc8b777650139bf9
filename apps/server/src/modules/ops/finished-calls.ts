import type { Db } from '../../platform/db/database.js';
import type { CallStateColumn } from '../../platform/db/schema.js';

/** A direct call's final states (the Prometheus counter `parley_calls_finished_total` uses the same). */
const FINAL: CallStateColumn[] = ['ended', 'missed', 'rejected', 'cancelled', 'busy'];

/**
 * Direct calls placed since `since` that have reached a final state, by that state, for
 * the admin summary: read from the `calls` table (read-only here; the calls module owns
 * it), so the answer is the whole deployment's whichever process gives it. States with no
 * call are left out.
 */
export async function finishedCallsSince(db: Db, since: Date): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('calls')
    .select(['state', (eb) => eb.fn.countAll().as('n')])
    .where('created_at', '>=', since.toISOString())
    .where('state', 'in', FINAL)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
