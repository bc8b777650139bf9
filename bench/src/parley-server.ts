/**
 * Worker thread: the real Parley app, built as the signaling tests build it (buildApp,
 * in-memory SQLite, silent logs, high HTTP rate limits), listening on 127.0.0.1:0. It
 * registers the bench users and opens one room per size with every user approved, then
 * tells the main thread the port, the tokens and the room ids.
 */
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { buildApp } from '../../apps/server/src/app.js';
import { loadConfig } from '../../apps/server/src/platform/config.js';
import type { Config } from '../../apps/server/src/platform/config.js';
import { openDatabase } from '../../apps/server/src/platform/db/database.js';
import { ownThreadId } from './shared.js';
import type { MainToWorker, ServerWorkerData, WorkerToMain } from './shared.js';

const { sizes } = workerData as ServerWorkerData;
const port = parentPort;
if (!port) throw new Error('parley-server.ts runs as a worker thread');

// The production config loader with the shipped defaults (socket timings, WS_LIMITS), fed
// an explicit environment rather than process.env, so the bench never reads the caller's.
const config: Config = {
  ...loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: path.join(tmpdir(), 'parley-bench'),
    DATABASE_URL: ':memory:',
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    PUBLIC_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'silent',
    // HTTP only (registration, rooms); the socket limits are WS_LIMITS and stay as shipped.
    RATE_LIMIT_MAX: '100000',
    WEB_DIST_DIR: path.join(tmpdir(), 'parley-bench-no-web'),
  }),
  // Registration is setup, not what is measured: the cheap scrypt cost of the tests.
  scryptCost: 2 ** 10,
};

const db = openDatabase(config.database);
await db.migrate();
const parley = await buildApp(config, { db });
await parley.app.ready();
await parley.app.listen({ port: 0, host: '127.0.0.1' });
const { app } = parley;

type Json = Record<string, any>;
async function api(method: 'POST', url: string, token: string | undefined, body: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    payload: JSON.stringify(body),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<Json>();
}

const users = Math.max(...sizes);
const tokens: string[] = [];
for (let i = 0; i < users; i++) {
  const res = await api('POST', '/api/auth/register', undefined, {
    email: `bench${i}@example.org`,
    password: 'correct horse 42',
    displayName: `Bench user ${i}`,
  });
  tokens.push(res.tokens.accessToken as string);
}
const rooms: Record<string, string> = {};
for (const n of sizes) {
  const host = tokens[0];
  const created = await api('POST', '/api/rooms', host, {
    name: `Fan-out ${n}`,
    visibility: 'private',
    entry: 'open',
    maxParticipants: n,
  });
  const roomId = created.room.id as string;
  for (const token of tokens.slice(1, n)) {
    const joined = await api('POST', `/api/rooms/${roomId}/join`, token, {});
    if (joined.status !== 'approved') throw new Error(`REST join: ${JSON.stringify(joined)}`);
  }
  rooms[String(n)] = roomId;
}

port.on('message', (msg: MainToWorker) => {
  if (msg.type !== 'close') return;
  void parley.close().then(() => port.postMessage({ type: 'closed' } satisfies WorkerToMain));
});
port.postMessage({
  type: 'ready',
  tid: ownThreadId(),
  port: (app.server.address() as AddressInfo).port,
  tokens,
  rooms,
} satisfies WorkerToMain);
