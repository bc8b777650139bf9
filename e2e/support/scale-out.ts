import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import pg from 'pg';
import { createClient } from 'redis';
import { REPO_ROOT } from './paths.js';
import { startServer } from './server.js';
import type { RunningServer } from './server.js';

// Parley on several processes sharing PostgreSQL and Redis, for the browser tests: a fresh
// database and Redis prefix per run, the processes, the front of `npm run start:cluster`,
// and in-page probes that tell whether a call's peer connections survived something.

export interface Services {
  databaseUrl: string;
  redisUrl: string;
}

/**
 * TEST_DATABASE_URL and TEST_REDIS_URL (CI passes both to `npm run test:e2e`). Missing on a
 * developer's machine: undefined, and the caller skips with `SERVICES_MISSING`. Missing in
 * CI: an error, so a scale-out test never passes by not running.
 */
export function scaleOutServices(): Services | undefined {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (databaseUrl && redisUrl) return { databaseUrl, redisUrl };
  if (process.env.CI === 'true') {
    throw new Error(
      'CI must set TEST_DATABASE_URL and TEST_REDIS_URL for `npm run test:e2e`: the scale-out ' +
        'tests run Parley on PostgreSQL and Redis.',
    );
  }
  return undefined;
}

export const SERVICES_MISSING =
  'TEST_DATABASE_URL and TEST_REDIS_URL are not set: the scale-out tests need PostgreSQL and ' +
  'Redis (e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ' +
  'TEST_REDIS_URL=redis://127.0.0.1:6379)';

/**
 * `create database parley_e2e_<random>` on the server of `adminUrl`; `drop()` removes it
 * again (closing what is still connected to it).
 */
export async function createTestDatabase(
  adminUrl: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `parley_e2e_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under `prefix` (a run's own), so runs never see each other's. */
export async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

/**
 * `count` Parley processes on one database and one Redis prefix, with the same JWT secret,
 * started together (the PostgreSQL migrator takes an advisory lock: one migrates, the
 * others wait for it).
 */
export async function startProcesses(
  count: number,
  shared: { databaseUrl: string; redisUrl: string; redisPrefix: string },
  extraEnv: Record<string, string> = {},
): Promise<RunningServer[]> {
  const env = {
    DATABASE_URL: shared.databaseUrl,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: shared.redisUrl,
    REDIS_PREFIX: shared.redisPrefix,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    // As behind `npm run start:cluster`: the front, on this host, is their proxy.
    TRUST_PROXY: 'loopback',
    ...extraEnv,
  };
  const starts = Array.from({ length: count }, () => startServer(env));
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    const running = settled.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    await Promise.all(running.map((server) => server.stop()));
    throw failed.reason;
  }
  return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

type CreateFront = (
  ports: readonly number[],
  options?: { strategy?: 'round-robin' | 'failover'; log?: (message: string) => void },
) => Server;

/**
 * The front of `npm run start:cluster` (scripts/cluster-front.mjs) on a free port of
 * 127.0.0.1. With `strategy: 'failover'` everything goes to the first of `ports` that
 * accepts connections: a load balancer without stickiness that moves on when it stops.
 */
export async function startFront(
  ports: readonly number[],
  strategy: 'round-robin' | 'failover',
): Promise<{ baseURL: string; log: string[]; close(): Promise<void> }> {
  // Loaded by URL: plain JavaScript outside this TypeScript project (like support/build.ts).
  const url = pathToFileURL(path.join(REPO_ROOT, 'scripts', 'cluster-front.mjs')).href;
  const { createFront } = (await import(url)) as { createFront: CreateFront };
  const log: string[] = [];
  const server = createFront(ports, { strategy, log: (m) => log.push(m) });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    log,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

// ---- in-page probes ----

/** What the probes saw in one page (see installProbes). */
export interface ProbeReport {
  /** RTCPeerConnections made so far, and how many of them are `connected` now. */
  peerConnections: number;
  connected: number;
  /** WebSockets opened so far, and the close codes of those that closed, in order. */
  sockets: number;
  closeCodes: number[];
}

/**
 * Before the app loads: counts the RTCPeerConnections and WebSockets the page makes and
 * records socket close codes. The app's own wrappers (debug.ts) extend these classes, so
 * everything it creates is seen.
 */
export async function installProbes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const probe = {
      pcs: [] as RTCPeerConnection[],
      sockets: 0,
      closeCodes: [] as number[],
    };
    window.__e2eProbe = probe;
    const NativePeerConnection = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(config?: RTCConfiguration) {
        super(config);
        probe.pcs.push(this);
      }
    };
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        probe.sockets += 1;
        this.addEventListener('close', (e) => probe.closeCodes.push(e.code));
      }
    };
  });
}

export function probeReport(page: Page): Promise<ProbeReport> {
  return page.evaluate(() => {
    const probe = window.__e2eProbe;
    if (!probe) throw new Error('no probes in this page (installProbes before goto)');
    return {
      peerConnections: probe.pcs.length,
      connected: probe.pcs.filter((pc) => pc.connectionState === 'connected').length,
      sockets: probe.sockets,
      closeCodes: [...probe.closeCodes],
    };
  });
}

/** One reading of a call page by the watcher (see watchCall). */
export interface CallSample {
  /** performance.now() of the page, ms. */
  t: number;
  /** Decoded frames of the watched remote video; -1 while there is no such element. */
  frames: number;
  /** Remote tiles shown. */
  remoteTiles: number;
  /** The connection banner's state, if one is shown. */
  banner: string | null;
  connectionId: string | null;
}

/**
 * Starts sampling a call page every 100 ms: the decoded frame count of `name`'s video, the
 * remote tiles, the connection banner and this tab's connection id. It also tags `name`'s
 * current <video> element and remembers its stream, so sameVideo() can tell later whether
 * the page still shows that very element and stream (no new tile, no new peer link).
 */
export async function watchCall(page: Page, name: string): Promise<void> {
  await page.evaluate((who) => {
    const selector = `[data-testid="tile"]:not([data-self])[data-name="${who}"] [data-testid="remote-video"]`;
    const video = document.querySelector<HTMLVideoElement>(selector);
    if (!video) throw new Error(`no video of ${who} to watch`);
    video.dataset.e2eWatched = 'yes';
    const watch = {
      stream: video.srcObject,
      samples: [] as CallSample[],
      timer: 0,
    };
    const sample = () => {
      const current = document.querySelector<HTMLVideoElement>(selector);
      watch.samples.push({
        t: performance.now(),
        frames: current ? current.getVideoPlaybackQuality().totalVideoFrames : -1,
        remoteTiles: document.querySelectorAll('[data-testid="tile"]:not([data-self])').length,
        banner:
          document.querySelector<HTMLElement>('[data-testid="connection-banner"]')?.dataset.state ??
          null,
        connectionId: window.__parleyCall?.connectionId() ?? null,
      });
    };
    sample();
    watch.timer = window.setInterval(sample, 100);
    window.__e2eWatch = { ...watch, selector };
  }, name);
}

/** Stops the watcher and hands back its samples. */
export function stopWatching(page: Page): Promise<CallSample[]> {
  return page.evaluate(() => {
    const watch = window.__e2eWatch;
    if (!watch) throw new Error('watchCall was not started on this page');
    clearInterval(watch.timer);
    return watch.samples;
  });
}

/** The watched person's <video> is still the element and the stream it was at watchCall. */
export function sameVideo(page: Page): Promise<{ sameElement: boolean; sameStream: boolean }> {
  return page.evaluate(() => {
    const watch = window.__e2eWatch;
    if (!watch) throw new Error('watchCall was not started on this page');
    const video = document.querySelector<HTMLVideoElement>(watch.selector);
    return {
      sameElement: video?.dataset.e2eWatched === 'yes',
      sameStream: video !== null && video.srcObject === watch.stream,
    };
  });
}

/**
 * The longest stretch (ms) in `samples` during which the frame count did not go up: from
 * the start to the first new frame, between new frames, and from the last one to the end.
 */
export function longestFreeze(samples: CallSample[]): number {
  if (samples.length < 2) return Infinity;
  let longest = 0;
  let since = samples[0]!.t;
  for (let i = 1; i < samples.length; i++) {
    const { t, frames } = samples[i]!;
    if (frames > samples[i - 1]!.frames) {
      longest = Math.max(longest, t - since);
      since = t;
    }
  }
  return Math.max(longest, samples.at(-1)!.t - since);
}

declare global {
  interface Window {
    __e2eProbe?: { pcs: RTCPeerConnection[]; sockets: number; closeCodes: number[] };
    __e2eWatch?: {
      stream: MediaProvider | null;
      samples: CallSample[];
      timer: number;
      selector: string;
    };
  }
}
