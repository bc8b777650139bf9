import type { SettingsPatch, SettingsResponse, SystemSettings, User } from '@parley/protocol';
import { SystemSettings as SystemSettingsSchema } from '@parley/protocol';
import { sql } from 'kysely';
import type { AuditLog } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { SystemSettingsTable } from '../../platform/db/schema.js';
import { isAdmin } from '../../platform/auth/hook.js';
import { AppError, Errors } from '../../platform/errors.js';
import type { Bus } from '../../platform/live/index.js';
import type { SettingsReader } from '../../platform/settings.js';
import type { RequestContext } from '../../platform/request-context.js';

type Section = keyof SystemSettings;
type Stamp = { updatedAt: string | null; updatedBy: string | null };
const SECTIONS = Object.keys(SystemSettingsSchema.shape) as Section[];

export type SettingsServiceDeps = {
  db: Db;
  /** PostgreSQL serializes admins' writes with a lock; SQLite's writers are serial anyway. */
  dialect: 'sqlite' | 'postgres';
  bus: Bus;
  clock: Clock;
  audit: AuditLog;
  /** What the environment says; each section the database holds replaces its part. */
  seed: SystemSettings;
};

/**
 * The live settings: read synchronously from this process's copy, written by admins to the
 * database, then announced (`settings.changed`) so every process reloads at once. A process
 * that missed the event catches up at its next periodic `load`.
 */
export function createSettingsService(deps: SettingsServiceDeps) {
  const { db, bus, clock } = deps;
  let current: SystemSettings = deps.seed;
  let stamp: Stamp = { updatedAt: null, updatedBy: null };
  /**
   * Loads are numbered as they start; one applies only if no later-started load applied
   * first. A slow load (the 30 s timer's) finishing after a quicker one (the bus event's)
   * would otherwise put the settings from before the change back.
   */
  let started = 0;
  let applied = 0;

  async function load(): Promise<void> {
    const n = ++started;
    const rows = await db.selectFrom('system_settings').selectAll().execute();
    if (n < applied) return;
    applied = n;
    ({ settings: current, stamp } = fromRows(rows));
  }

  /** The settings the stored rows make, section by section over the seed. */
  function fromRows(rows: SystemSettingsTable[]): { settings: SystemSettings; stamp: Stamp } {
    const merged: Record<string, unknown> = { ...deps.seed };
    let latest: SystemSettingsTable | undefined;
    for (const row of rows) {
      if (!SECTIONS.includes(row.key as Section)) continue;
      const value = parseJson(row.value);
      if (value === undefined) continue; // unreadable: the seed stands for that section
      merged[row.key] = value;
      if (!latest || row.updated_at > latest.updated_at) latest = row;
    }
    // A row written by a newer version with fields this one does not know (or an old one
    // missing a new field) must not stop the process: keep the seed for that section.
    const parsed = SystemSettingsSchema.safeParse(merged);
    return {
      settings: parsed.success ? parsed.data : repaired(merged),
      stamp: { updatedAt: latest?.updated_at ?? null, updatedBy: latest?.updated_by ?? null },
    };
  }

  function repaired(merged: Record<string, unknown>): SystemSettings {
    const out: Record<string, unknown> = { ...deps.seed };
    for (const key of SECTIONS) {
      const candidate = { ...out, [key]: merged[key] };
      if (SystemSettingsSchema.safeParse(candidate).success) out[key] = merged[key];
    }
    return out as SystemSettings;
  }

  function view(): SettingsResponse {
    return { settings: current, ...stamp };
  }

  const unsubscribe = bus.on('settings.changed', () => load());

  return {
    get: () => current,
    load,
    view,
    publicView: () => ({ registration: current.registration, guestAccess: current.guestAccess }),

    /**
     * Admins only; the merged settings must validate, else 400 and nothing is stored. The
     * patch is merged into the stored rows inside the write transaction, after taking the
     * settings lock, so two admins changing different fields of one section both keep
     * their change (a read before the transaction would let the later write drop the other).
     */
    async update(
      actor: User,
      patch: SettingsPatch,
      origin: RequestContext,
    ): Promise<SettingsResponse> {
      if (!isAdmin(actor)) throw Errors.forbidden();
      const at = clock.now().toISOString();
      const change = await db.transaction().execute(async (trx) => {
        // A section may have no row yet (the environment's value stands), so there is no
        // row to lock: one transaction-scoped advisory lock serializes settings writers.
        // SQLite: Kysely runs one transaction at a time on its one connection, and a
        // deployment on SQLite is one process.
        if (deps.dialect === 'postgres') {
          await sql`select pg_advisory_xact_lock(hashtextextended('parley:system_settings', 0))`.execute(
            trx,
          );
        }
        const before = fromRows(
          await trx.selectFrom('system_settings').selectAll().execute(),
        ).settings;
        const next: Record<string, unknown> = { ...before };
        const changed: Section[] = [];
        for (const key of SECTIONS) {
          const part = patch[key];
          if (part === undefined) continue;
          const value =
            typeof part === 'object' ? { ...(before[key] as object), ...part } : (part as unknown);
          if (JSON.stringify(value) !== JSON.stringify(before[key])) changed.push(key);
          next[key] = value;
        }
        const parsed = SystemSettingsSchema.safeParse(next);
        if (!parsed.success) {
          throw new AppError('VALIDATION_FAILED', 400, 'These settings do not fit together.', {
            fields: Object.fromEntries(
              parsed.error.issues.map((i) => [i.path.join('.'), [i.message]]),
            ),
          });
        }
        for (const key of changed) {
          const value = JSON.stringify(parsed.data[key]);
          await trx
            .insertInto('system_settings')
            .values({ key, value, updated_at: at, updated_by: actor.id })
            .onConflict((oc) =>
              oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: actor.id }),
            )
            .execute();
        }
        return { before, after: parsed.data, changed };
      });
      // Read back rather than set: a load started now sees this write and any that
      // committed before it, and wins over loads that started earlier.
      await load();
      if (!change.changed.length) return view();
      await deps.audit.record({
        type: 'settings.changed',
        actorId: actor.id,
        origin,
        targetType: 'settings',
        details: Object.fromEntries(
          change.changed.map((k) => [k, { from: change.before[k], to: change.after[k] }]),
        ),
      });
      await bus.emit({ type: 'settings.changed' });
      return view();
    },

    close: unsubscribe,
  };
}
/** A stored value, or undefined when the row is not JSON (edited by hand, truncated). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export type SettingsService = ReturnType<typeof createSettingsService> & SettingsReader;
