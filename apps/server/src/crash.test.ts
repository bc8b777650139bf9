import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from './modules/signaling/test-client.js';
import { TEST_DATABASE_URL } from './test/harness.js';
import { startServer } from './test/process.js';
import type { ServerProcess } from './test/process.js';

// A process killed with SIGKILL mid-call leaves approved seats and an "occupied" room in
// the database and nobody to release them. A new process on the same database must
// repair that on its own: seats released after the reconnection grace, the room joinable.

const EXPIRY_S = 3;
const GRACE_S = 1;

const running = new Set<ServerProcess>();
afterEach(() => {
  for (const p of running) p.child.kill('SIGKILL');
  running.clear();
});

function start(env: Record<string, string>): ServerProcess {
  const proc = startServer({
    RECONNECT_GRACE_SECONDS: String(GRACE_S),
    LIVE_EXPIRY_SECONDS: String(EXPIRY_S),
    // The test polls the join route; the per-IP join limit is not what it is about.
    RATE_LIMIT_MAX: '100000',
    ...env,
  });
  running.add(proc);
  return proc;
}

async function api(base: string, method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
}

async function guest(base: string, name: string) {
  const res = await api(base, 'POST', '/api/auth/guest', undefined, { displayName: name });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, token: res.body.tokens.accessToken as string };
}

type Storage = { env: Record<string, string>; drop(): Promise<void> };

function sqliteStorage(): Promise<Storage> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-crash-'));
  return Promise.resolve({ env: { DATA_DIR: dataDir }, drop: () => Promise.resolve() });
}

/** A database of its own on the test PostgreSQL, dropped afterwards. */
async function postgresStorage(url: string): Promise<Storage> {
  const name = `parley_crash_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    // The JWT secret must survive the restart: both processes share the data folder.
    env: {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-crash-')),
      DATABASE_URL: dbUrl.toString(),
    },
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const storages: [string, () => Promise<Storage>][] = [['sqlite', sqliteStorage]];
if (TEST_DATABASE_URL) {
  const url = TEST_DATABASE_URL;
  storages.push(['postgres', () => postgresStorage(url)]);
}

describe.each(storages)('a process killed mid-call (%s)', (_name, makeStorage) => {
  it('a new process on the same database releases the seats of the full room and lets a newcomer in', async () => {
    const storage = await makeStorage();
    try {
      const first = start(storage.env);
      const base1 = await first.url;
      const hostRes = await api(base1, 'POST', '/api/auth/register', undefined, {
        email: `host.${randomBytes(3).toString('hex')}@example.org`,
        password: 'correct horse 42',
        displayName: 'Host',
      });
      expect(hostRes.status).toBe(201);
      const host = { id: hostRes.body.user.id as string, token: hostRes.body.tokens.accessToken };
      const created = await api(base1, 'POST', '/api/rooms', host.token, {
        name: 'Two seats',
        visibility: 'private',
        entry: 'open',
        maxParticipants: 2,
      });
      expect(created.status).toBe(201);
      const roomId = created.body.room.id as string;
      const friend = await guest(base1, 'Friend');
      expect((await api(base1, 'POST', `/api/rooms/${roomId}/join`, friend.token, {})).status).toBe(
        200,
      );
      const ws1 = `${base1.replace(/^http/, 'ws')}/ws`;
      for (const who of [host, friend]) {
        const c = await TestClient.connect(ws1, who.token);
        await c.join(roomId);
      }
      const late = await guest(base1, 'Late');
      const full = await api(base1, 'POST', `/api/rooms/${roomId}/join`, late.token, {});
      expect(full.status).toBe(409);
      expect(full.body.error.code).toBe('ROOM_FULL');

      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');

      const second = start(storage.env);
      const base2 = await second.url;
      const restartedAt = Date.now();
      // Polls the real process; the bound is the rule (grace after start) plus slack for a
      // busy machine, and the figure is reported, not asserted to the millisecond.
      let joined = await api(base2, 'POST', `/api/rooms/${roomId}/join`, late.token, {});
      while (joined.status !== 200 && Date.now() - restartedAt < 30_000) {
        expect(joined.body.error.code).toBe('ROOM_FULL');
        await new Promise((r) => setTimeout(r, 250));
        joined = await api(base2, 'POST', `/api/rooms/${roomId}/join`, late.token, {});
      }
      expect(joined.status).toBe(200);
      expect(joined.body.status).toBe('approved');
      console.info(
        `[crash] seats released ${Date.now() - restartedAt} ms after the new process listened (grace ${GRACE_S} s, expiry ${EXPIRY_S} s)`,
      );
      const room = await api(base2, 'GET', `/api/rooms/${roomId}`, host.token);
      expect(room.body.room).toMatchObject({ status: 'open', myStatus: 'left' });

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await storage.drop();
    }
  }, 60_000);
});
