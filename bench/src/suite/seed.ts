/**
 * Prepares Parley's database before the production server starts on it: migrations, N
 * users, one sign-in session each, access tokens minted with the app's own token service
 * and the JWT_SECRET the server gets, and rooms with every member already approved, so a
 * socket's `room.join` succeeds at once. Nothing here runs scrypt (nobody logs in) and
 * nothing of it is in the measured path.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTokenService,
  hashOpaqueToken,
  newOpaqueToken,
} from '../../../apps/server/src/platform/auth/tokens.js';
import { openDatabase } from '../../../apps/server/src/platform/db/database.js';
import { searchKey } from '../../../apps/server/src/platform/search-key.js';
import type { Config } from '../../../apps/server/src/platform/config.js';
import type {
  RefreshTokensTable,
  RoomParticipantsTable,
  RoomsTable,
  UsersTable,
} from '../../../apps/server/src/platform/db/schema.js';

export const BENCH_JWT_SECRET = 'bench-jwt-secret-that-is-long-enough-0123456789';

/** Built server: what an operator runs. */
export const PARLEY_MAIN = path.resolve(
  new URL('../../../apps/server/dist/main.js', import.meta.url).pathname,
);
/**
 * Node arguments that start Parley's build. `BENCH_PROFILE=<dir>`: each Parley process
 * writes a CPU profile there when it stops (summarise with `npm run bench:top -- <dir>`).
 * `BENCH_PARLEY_MAIN=<main.js>`: another build, for an A/B of two builds in one run.
 */
export function parleyArgs(): string[] {
  const dir = process.env.BENCH_PROFILE;
  const main = process.env.BENCH_PARLEY_MAIN ?? PARLEY_MAIN;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`, main] : [main];
}

/** main.ts prints this line once listening (the JSON log line says "listening at"). */
export const PARLEY_READY = /Parley is running at https?:\/\/[^\s]*:(\d+)/;

export type SeedOptions = {
  users: number;
  /** Users are seated in rooms of `roomSize` in order (user i in room floor(i / size)). */
  roomSize?: number;
  /** A PostgreSQL URL; absent: a fresh SQLite file in a temp folder. */
  databaseUrl?: string;
};

export type Seeded = {
  /** Environment for apps/server/dist/main.js (spawnSubject merges it over process.env). */
  env: Record<string, string>;
  /** One access token per user (15 minutes: mint per measure). */
  tokens: string[];
  userIds: string[];
  /** roomIds[r] holds users r*roomSize … r*roomSize+roomSize-1. */
  roomIds: string[];
  /** Removes the temp folder (SQLite); the caller drops a PostgreSQL database itself. */
  cleanup(): void;
};

/** Settings every Parley subject gets so thousands of sockets from 127.0.0.1 are accepted. */
export const BENCH_LIMITS = {
  WS_MAX_CONNECTIONS_PER_IP: '1000000',
  // Each bench socket is its own user; the setting's ceiling is 1000.
  WS_MAX_CONNECTIONS_PER_USER: '1000',
  RATE_LIMIT_MAX: '1000000',
} as const;

const CHUNK = 200;

export async function seedParley(opts: SeedOptions): Promise<Seeded> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
  const database: Config['database'] = opts.databaseUrl
    ? { kind: 'postgres', url: opts.databaseUrl }
    : { kind: 'sqlite', file: path.join(dir, 'parley.db') };
  const handle = openDatabase(database);
  const tokensService = createTokenService(BENCH_JWT_SECRET);
  const now = new Date();
  const at = now.toISOString();
  const refreshExpires = new Date(now.getTime() + 24 * 3600_000).toISOString();
  const users: UsersTable[] = [];
  const families: RefreshTokensTable[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < opts.users; i++) {
    const id = randomUUID();
    const name = `Bench user ${i}`;
    users.push({
      id,
      email: `bench${i}-${randomBytes(3).toString('hex')}@example.org`,
      // Nobody logs in: any value that is not a usable hash will do.
      password_hash: 'bench-no-login',
      display_name: name,
      search_name: searchKey(name),
      role: 'member',
      is_guest: 0,
      disabled_at: null,
      created_at: at,
      last_seen_at: null,
      do_not_disturb: 0,
    });
    const familyId = randomUUID();
    families.push({
      id: randomUUID(),
      user_id: id,
      family_id: familyId,
      token_hash: hashOpaqueToken(newOpaqueToken()),
      created_at: at,
      expires_at: refreshExpires,
      used_at: null,
      revoked_at: null,
    });
    tokens.push((await tokensService.signAccess(id, familyId, now)).token);
  }

  const size = opts.roomSize ?? 0;
  const rooms: RoomsTable[] = [];
  const seats: RoomParticipantsTable[] = [];
  if (size > 0) {
    for (let first = 0; first < users.length; first += size) {
      const host = users[first]!;
      const roomId = randomUUID();
      rooms.push({
        id: roomId,
        code: randomBytes(8).toString('hex'),
        name: `Bench room ${rooms.length}`,
        host_id: host.id,
        visibility: 'private',
        entry: 'open',
        password_hash: null,
        chat_enabled: 1,
        max_participants: size,
        locked: 0,
        status: 'open',
        created_at: at,
        closed_at: null,
        close_reason: null,
        // As created and never entered: not "occupied", so start-up reconciling leaves it.
        empty_since: at,
        kind: 'meeting',
        // Persistent: never closed by the empty-room timer during a run.
        instant: 0,
        meeting_started_at: null,
      });
      for (let j = first; j < Math.min(first + size, users.length); j++) {
        seats.push({
          room_id: roomId,
          user_id: users[j]!.id,
          role: j === first ? 'host' : 'participant',
          status: 'approved',
          requested_at: at,
          updated_at: at,
          decided_by: host.id,
          invite_id: null,
          client_key: null,
        });
      }
    }
  }

  try {
    await handle.migrate();
    await handle.db.transaction().execute(async (trx) => {
      for (let i = 0; i < users.length; i += CHUNK) {
        await trx
          .insertInto('users')
          .values(users.slice(i, i + CHUNK))
          .execute();
        await trx
          .insertInto('refresh_tokens')
          .values(families.slice(i, i + CHUNK))
          .execute();
      }
      for (let i = 0; i < rooms.length; i += CHUNK) {
        await trx
          .insertInto('rooms')
          .values(rooms.slice(i, i + CHUNK))
          .execute();
      }
      for (let i = 0; i < seats.length; i += CHUNK) {
        await trx
          .insertInto('room_participants')
          .values(seats.slice(i, i + CHUNK))
          .execute();
      }
    });
  } finally {
    await handle.close();
  }

  return {
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dir,
      DATABASE_URL: opts.databaseUrl ?? path.join(dir, 'parley.db'),
      JWT_SECRET: BENCH_JWT_SECRET,
      LOG_LEVEL: 'info',
      ...BENCH_LIMITS,
    },
    tokens,
    userIds: users.map((u) => u.id),
    roomIds: rooms.map((r) => r.id),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
