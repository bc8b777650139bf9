import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { SettingsReader } from '../../platform/settings.js';
import { deleteOlderThan } from './repo.js';

/** Rows per DELETE: each statement stays short, so writers never wait long behind it. */
export const PURGE_BATCH = 1000;

/**
 * How often app.ts runs the purge. Hourly rather than daily: a daily timer restarts with
 * every deploy, so a process restarted more often than once a day would never purge;
 * an hourly pass that finds nothing old is one indexed range check. Entries outlive the
 * retention by an hour at most.
 */
export const PURGE_INTERVAL_MS = 60 * 60_000;

export type AuditPurgeDeps = {
  db: Db;
  clock: Clock;
  settings: Pick<SettingsReader, 'get'>;
  batch?: number;
};

/**
 * The retention rule, the only deletion the audit log knows: entries older than
 * `settings.audit.retentionDays` (read at each pass, so a change applies at the next one)
 * on the app clock. Batches until a short one; several processes purging at once only
 * find fewer rows. Returns how many rows it removed.
 */
export function createAuditPurge(deps: AuditPurgeDeps): () => Promise<number> {
  const batch = deps.batch ?? PURGE_BATCH;
  return async function purge(): Promise<number> {
    const days = deps.settings.get().audit.retentionDays;
    const before = new Date(deps.clock.now().getTime() - days * 86_400_000).toISOString();
    let total = 0;
    for (;;) {
      const n = await deleteOlderThan(deps.db, before, batch);
      total += n;
      if (n < batch) return total;
    }
  };
}
