/**
 * The HTTP workloads' subjects and load: Parley's production build on a freshly seeded
 * SQLite file, the `node:http` ceiling and a Fastify hello-world (peers/), each a pinned
 * child process (proc.ts); autocannon from this process (the generator core). A run in
 * which any response is not 2xx, or any request errs or times out, throws: a figure made
 * of error pages would mean nothing.
 */
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Request, Result } from 'autocannon';
import { spawnSubject } from './proc.js';
import type { Subject } from './proc.js';
import { parleyArgs, PARLEY_READY, seedParley } from './seed.js';

export const HTTP_SUBJECTS = ['parley', 'node-http', 'fastify-hello'] as const;
export type HttpSubjectName = (typeof HTTP_SUBJECTS)[number];

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PEERS: Record<Exclude<HttpSubjectName, 'parley'>, string> = {
  'node-http': fileURLToPath(new URL('./peers/node-http.ts', import.meta.url)),
  'fastify-hello': fileURLToPath(new URL('./peers/fastify-hello.ts', import.meta.url)),
};

/**
 * All load comes from 127.0.0.1, so the per-address HTTP limit (RATE_LIMIT_MAX, 600 a
 * minute as shipped) would answer 429 within a second. It is raised out of the way; the
 * limiter still runs on every request, so its cost is part of the figure.
 */
export const BENCH_HTTP_LIMITS = { RATE_LIMIT_MAX: '1000000000' } as const;

export type HttpTarget = {
  name: HttpSubjectName;
  proc: Subject;
  url: string;
  /** Parley: one real access token per seeded user; peers: tokens of the same length. */
  tokens: string[];
  userIds: string[];
  stop(): Promise<void>;
};

export async function startHttpSubject(
  name: HttpSubjectName,
  opts: { users?: number; env?: Record<string, string> } = {},
): Promise<HttpTarget> {
  const users = opts.users ?? 1;
  if (name === 'parley') {
    const seeded = await seedParley({ users });
    try {
      const proc = await spawnSubject({
        args: parleyArgs(),
        env: { ...seeded.env, ...BENCH_HTTP_LIMITS, ...opts.env },
        cwd: REPO_ROOT,
        readyPattern: PARLEY_READY,
      });
      return {
        name,
        proc,
        url: proc.url,
        tokens: seeded.tokens,
        userIds: seeded.userIds,
        async stop() {
          try {
            await proc.stop();
          } finally {
            seeded.cleanup();
          }
        },
      };
    } catch (err) {
      seeded.cleanup();
      throw err;
    }
  }
  const proc = await spawnSubject({ args: ['--import', 'tsx', PEERS[name]], cwd: REPO_ROOT });
  return {
    name,
    proc,
    url: proc.url,
    // A header of a real token's length, so requests are the same size for everyone.
    tokens: Array.from({ length: users }, (_, i) => `bench-token-${i}-`.padEnd(330, 'x')),
    userIds: [],
    stop: () => proc.stop(),
  };
}

export type LoadOptions = {
  url: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Seconds of load; or `amount` responses in all. */
  seconds?: number;
  amount?: number;
  /** Builds each request (a different user, room or invite per request). */
  setupRequest?: Request['setupRequest'];
  /** A warm-up: a cold process on a busy machine may answer nothing within it. */
  warmUp?: boolean;
};

export type LoadResult = {
  /** Responses per second, from the first request to the last response. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  raw: Result;
};

/** One autocannon run; throws unless every response was 2xx without errors or timeouts. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  let responses = 0;
  let last = 0;
  const started = performance.now();
  const raw = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        // autocannon takes the path from the URL (a `path` option is ignored).
        url: `${opts.url}${opts.path}`,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        body: opts.body,
        connections: opts.connections,
        ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.seconds ?? 5 }),
        // Seconds: generous, since a busy machine stalls a cold process; any timeout fails the run.
        timeout: 20,
        ...(opts.setupRequest ? { requests: [{ setupRequest: opts.setupRequest }] } : {}),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    // autocannon reports its result on its next 1 s tick, so its own duration can be up to
    // a second long in `amount` mode: time the responses here instead.
    instance.on('response', () => {
      responses++;
      last = performance.now();
    });
  });
  const problems: string[] = [];
  if (raw.non2xx) {
    const codes = Object.entries(raw.statusCodeStats)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, s]) => `${code}×${s.count}`);
    problems.push(`${raw.non2xx} responses not 2xx (${codes.join(', ')})`);
  }
  if (raw.errors) problems.push(`${raw.errors} errors`);
  if (raw.timeouts) problems.push(`${raw.timeouts} timeouts`);
  if (responses === 0 && !opts.warmUp) problems.push('no responses');
  if (problems.length) {
    throw new Error(`${opts.method ?? 'GET'} ${opts.path} at ${opts.url}: ${problems.join('; ')}`);
  }
  const ms = last - started;
  return {
    rps: (responses / ms) * 1000,
    p50Ms: raw.latency.p50,
    p99Ms: raw.latency.p99,
    responses,
    raw,
  };
}

/** A JSON call in the setup of a workload (not measured); throws on anything but `expect`. */
export async function call<T>(
  url: string,
  init: { method?: string; token?: string; body?: unknown; expect?: number } = {},
): Promise<T> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const res = await fetch(url, {
    method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (res.status !== (init.expect ?? 200)) {
    throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Setup of the room workloads (not measured): `count` open rooms of up to 50 people, made
 * over REST by one host, as the app makes them.
 */
export async function openRooms(url: string, hostToken: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, (_, j) =>
        call<{ room: { id: string } }>(`${url}/api/rooms`, {
          token: hostToken,
          body: {
            name: `Bench room ${i + j}`,
            visibility: 'private',
            entry: 'open',
            maxParticipants: ROOM_CAPACITY,
          },
          expect: 201,
        }),
      ),
    );
    ids.push(...batch.map((r) => r.room.id));
  }
  return ids;
}

/** The most people a room takes (ROOM_LIMITS.maxParticipants, a P2P mesh's ceiling). */
export const ROOM_CAPACITY = 50;
/** People a room workload seats per room: below capacity, so a stray request never 409s. */
export const SEATS_PER_ROOM = 40;

/**
 * Settings of the room workloads: one host makes all the rooms (setup), and thousands of
 * guests come from 127.0.0.1 within the hour; each shipped quota would stop that.
 */
export const BENCH_ROOM_QUOTAS = {
  QUOTA_ROOMS_PER_HOUR: '100000',
  QUOTA_OPEN_ROOMS_PER_USER: '100000',
  QUOTA_GUESTS_PER_IP_PER_HOUR: '100000',
} as const;
