import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TestClient } from '../modules/signaling/test-client.js';
import { dropKeys } from '../platform/live/redis/testing.js';
import { newAccount } from './harness.js';
import { startServer } from './process.js';
import type { ServerProcess } from './process.js';

type Json = Record<string, any>;
export type Person = { id: string; token: string };

/**
 * Several real Parley processes (main.ts, each its own OS process) on one fresh
 * PostgreSQL database and one Redis, sharing a JWT secret: a deployment behind a load
 * balancer, minus the balancer. Tests talk to each process directly.
 */
export async function startCluster(opts: {
  databaseUrl: string;
  redisUrl: string;
  processes?: number;
  env?: Record<string, string>;
}) {
  const name = `parley_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: opts.databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(opts.databaseUrl);
  dbUrl.pathname = `/${name}`;
  const prefix = `${name}:`;
  const env = {
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: prefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-scale-')),
    ...opts.env,
  };
  const procs: ServerProcess[] = [];
  const nodes: Node[] = [];
  try {
    // One after another: the first one migrates the new database.
    for (let i = 0; i < (opts.processes ?? 2); i++) {
      const p = startServer(env);
      procs.push(p);
      nodes.push(new Node(p, await p.url));
    }
  } catch (err) {
    for (const p of procs) p.child.kill('SIGKILL');
    throw err;
  }
  return {
    nodes,
    async stop() {
      for (const n of nodes) await n.closeClients();
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      await dropKeys(opts.redisUrl, prefix).catch(() => undefined);
    },
  };
}

/** One process of the cluster: its REST API and sockets opened to it. */
export class Node {
  readonly clients = new Set<TestClient>();
  constructor(
    readonly proc: ServerProcess,
    readonly base: string,
  ) {}

  get wsUrl(): string {
    return `${this.base.replace(/^http/, 'ws')}/ws`;
  }

  async api(method: string, url: string, who?: Person, body?: unknown) {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${who.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  }

  async member(prefix = 'member'): Promise<Person> {
    return person(await this.api('POST', '/api/auth/register', undefined, newAccount(prefix)));
  }

  async guest(displayName: string): Promise<Person> {
    return person(await this.api('POST', '/api/auth/guest', undefined, { displayName }));
  }

  async createRoom(host: Person, body: Json = {}): Promise<string> {
    const res = await this.api('POST', '/api/rooms', host, {
      name: 'Across processes',
      visibility: 'private',
      entry: 'open',
      ...body,
    });
    expectStatus(res, 201);
    return res.body.room.id as string;
  }

  async enter(who: Person, roomId: string): Promise<string> {
    const res = await this.api('POST', `/api/rooms/${roomId}/join`, who, {});
    expectStatus(res, 200);
    return res.body.status as string;
  }

  async connect(who: Person): Promise<TestClient> {
    const client = await TestClient.connect(this.wsUrl, who.token);
    this.clients.add(client);
    return client;
  }

  async inRoom(who: Person, roomId: string): Promise<TestClient> {
    const client = await this.connect(who);
    await client.join(roomId);
    return client;
  }

  async closeClients(): Promise<void> {
    await Promise.all([...this.clients].map((c) => c.terminate()));
    this.clients.clear();
  }
}

function person(res: { status: number; body: Json }): Person {
  expectStatus(res, 201);
  return { id: res.body.user.id as string, token: res.body.tokens.accessToken as string };
}

function expectStatus(res: { status: number; body: Json }, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
}
