import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../app.js';
import type { Parley } from '../app.js';
import type { Clock, Timers } from '../platform/clock.js';
import type { LiveState } from '../platform/live/index.js';
import type { Config } from '../platform/config.js';
import { LOGIN_THROTTLE } from '../platform/config.js';
import { openDatabase } from '../platform/db/database.js';
import type { DatabaseOptions, DbHandle } from '../platform/db/database.js';

export type Dialect = 'sqlite' | 'postgres';

/** PostgreSQL runs when TEST_DATABASE_URL is set (CI sets it); SQLite always runs. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const dialects: Dialect[] = TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
if (!TEST_DATABASE_URL && process.env.CI) {
  throw new Error('CI must set TEST_DATABASE_URL so the PostgreSQL suites run.');
}

/**
 * A fresh, migrated database: in-memory SQLite, or a new schema on the test
 * PostgreSQL that is dropped on close, so suites never see each other's rows.
 */
export async function testDatabase(
  dialect: Dialect,
  opts: DatabaseOptions = {},
): Promise<DbHandle> {
  if (dialect === 'sqlite') {
    const handle = openDatabase({ kind: 'sqlite', file: ':memory:' }, opts);
    await handle.migrate();
    return handle;
  }
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const url = TEST_DATABASE_URL;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const handle = openDatabase({ kind: 'postgres', url, schema }, opts);
  await underSchemaLock(url, 'shared', () => handle.migrate());
  return {
    ...handle,
    async close() {
      await handle.close();
      await underSchemaLock(url, 'exclusive', (client) =>
        client.query(`drop schema if exists ${schema} cascade`),
      );
    },
  };
}

/**
 * Suites run in parallel on one PostgreSQL database, each in its own schema. Kysely's
 * migrator introspects every schema (`has_schema_privilege`, `pg_get_serial_sequence` on
 * each table), which fails with "schema … does not exist" when another suite drops its
 * schema mid-query. Migrations share an advisory lock; a drop takes it alone.
 */
async function underSchemaLock<T>(
  url: string,
  mode: 'shared' | 'exclusive',
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const lock = mode === 'shared' ? 'pg_advisory_lock_shared' : 'pg_advisory_lock';
    await client.query(`select ${lock}($1)`, [SCHEMA_LOCK_KEY]);
    return await work(client);
  } finally {
    // Ending the session releases its advisory lock.
    await client.end();
  }
}
const SCHEMA_LOCK_KEY = 0x7061726c; // "parl"

export function testConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    dataDir,
    database: { kind: 'sqlite', file: ':memory:' },
    redis: undefined,
    publicUrl: 'http://parley.test',
    jwtSecret: 'test-secret-that-is-long-enough-0123456789',
    corsOrigins: [],
    logLevel: 'silent',
    tls: undefined,
    trustProxy: false,
    http: {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 20_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 30_000,
      checkIntervalMs: 1_000,
    },
    rateLimitMax: 10_000,
    admin: undefined,
    webDistDir: path.join(dataDir, 'no-web'),
    // Low cost keeps hashing fast in tests; the algorithm is the same.
    scryptCost: 2 ** 10,
    loginThrottle: LOGIN_THROTTLE,
    ws: {
      helloTimeoutMs: 5_000,
      heartbeatIntervalMs: 20_000,
      deadAfterMs: 45_000,
      reconnectGraceMs: 120_000,
    },
    rooms: { emptyTimeoutMs: 60 * 60_000, cleanupIntervalMs: 60_000 },
    live: { expiryMs: 30_000, tickMs: 50 },
    calls: { ringTimeoutMs: 30_000, abandonAfterMs: 120_000, reapIntervalMs: 50 },
    appointments: {
      opensBeforeMs: 15 * 60_000,
      closesAfterMs: 120 * 60_000,
      adminsMayJoin: false,
      emptyGraceMs: 120_000,
      upkeepIntervalMs: 50,
    },
    paymentWebhookSecret: 'test-webhook-secret-0123456789',
    turn: {
      stunUrls: [],
      turnUrls: [],
      secret: undefined,
      staticAuth: undefined,
      ttlSeconds: 3600,
    },
    registration: 'open',
    guestAccess: true,
    // Suites create many rooms and guests from one IP; the quota tests set their own.
    quotas: {
      openRoomsPerUser: 100_000,
      roomsCreatedPerHour: 100_000,
      guestsPerIpPerHour: 100_000,
    },
    metrics: { port: undefined, host: '127.0.0.1', token: undefined, defaultMetrics: false },
    ...overrides,
  };
}

export type TestApp = Parley & { db: DbHandle };

export async function testApp(
  opts: {
    dialect?: Dialect;
    config?: Partial<Config>;
    clock?: Clock;
    timers?: Timers;
    /** Shared by several apps, they behave as processes of one deployment. */
    live?: LiveState;
    /** Reuse a database (a second "process" on the same one); it is not closed with the app. */
    db?: DbHandle;
  } = {},
): Promise<TestApp> {
  const db = opts.db
    ? { ...opts.db, close: () => Promise.resolve() }
    : await testDatabase(opts.dialect ?? 'sqlite');
  const parley = await buildApp(testConfig(opts.config), {
    db,
    checkResponses: true,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.live ? { live: opts.live } : {}),
  });
  await parley.app.ready();
  return { ...parley, db };
}

let counter = 0;
/** A unique, valid registration body. */
export function newAccount(prefix = 'user') {
  counter++;
  return {
    email: `${prefix}${counter}.${randomBytes(3).toString('hex')}@example.org`,
    password: 'correct horse 42',
    displayName: `${prefix} ${counter}`,
  };
}

export const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(body),
});
