/**
 * Cross-process room fan-out: the same paced `media.update` load on rooms of 10, once on
 * one Parley process on SQLite (live state in memory) and once on two Parley processes
 * sharing PostgreSQL and Redis (docs/OPERATIONS.md, "Several processes"), with half of
 * each room's sockets on each process, so every message crosses Redis to reach half its
 * room. Both processes are pinned to the server core, so both setups get one core;
 * PostgreSQL and Redis run unpinned. Server CPU per delivery is the sum over Parley
 * processes (Redis's own CPU is not counted).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropKeys } from '../../../../apps/server/src/platform/live/redis/testing.js';
import { FanoutRun } from '../fanout-load.js';
import { spawnSubject } from '../proc.js';
import type { Subject } from '../proc.js';
import { parleyArgs, PARLEY_READY, seedParley } from '../seed.js';
import type { Sample, SummaryRow, Workload } from '../types.js';
import type { LoadSocket } from '../ws-load.js';
import {
  connectAndHello,
  joinRooms,
  parleyHasSocketCapSettings,
  sleep,
  startWsSubject,
} from '../ws-subjects.js';
import type { WsTarget } from '../ws-subjects.js';
import { sig } from '../../stats.js';

const SUBJECTS = ['single', 'cross'] as const;
type Setup = (typeof SUBJECTS)[number];
const ROOM_SIZE = 10;
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

type Running = {
  target: WsTarget;
  procs: Subject[];
  urlOf: (i: number) => string;
  stop(): Promise<void>;
};

async function startSingle(sockets: number): Promise<Running> {
  const target = await startWsSubject('parley', { sockets, roomSize: ROOM_SIZE });
  return {
    target,
    procs: [target.proc],
    urlOf: () => target.wsUrl,
    stop: () => target.stop(),
  };
}

/** A fresh database (created and dropped here) and key prefix, two processes on them. */
async function startCross(sockets: number): Promise<Running> {
  if (sockets > 100 && !parleyHasSocketCapSettings()) {
    throw new Error(
      'Parley build lacks WS_MAX_CONNECTIONS_PER_IP: its per-address cap would refuse the bench sockets.',
    );
  }
  const name = `parley_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(PG_URL);
  dbUrl.pathname = `/${name}`;
  const prefix = `${name}:`;
  const procs: Subject[] = [];
  let cleanupSeed = () => undefined as void;
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    cleanupSeed();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
    await dropKeys(REDIS_URL, prefix).catch(() => undefined);
  };
  try {
    const seeded = await seedParley({
      users: sockets,
      roomSize: ROOM_SIZE,
      databaseUrl: dbUrl.toString(),
    });
    cleanupSeed = () => seeded.cleanup();
    const env = { ...seeded.env, REDIS_URL, REDIS_PREFIX: prefix };
    for (let i = 0; i < 2; i++) {
      procs.push(await spawnSubject({ args: parleyArgs(), env, readyPattern: PARLEY_READY }));
    }
    const urls = procs.map((p) => `${p.url.replace('http', 'ws')}/ws`);
    const first = procs[0]!;
    const target: WsTarget = {
      name: 'parley',
      proc: first,
      wire: 'json',
      wsUrl: urls[0]!,
      tokens: seeded.tokens,
      roomIds: seeded.roomIds,
      stop: () => Promise.resolve(),
    };
    // Alternate seats of every room between the processes: half of each room on each.
    return { target, procs, urlOf: (i) => urls[i % 2]!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const workload: Workload<Setup> = {
  name: 'fanout-redis',
  title: 'room fan-out across two processes (PostgreSQL + Redis) against one (SQLite)',
  subjects: SUBJECTS,
  async measure(setup, ctx): Promise<Sample> {
    const sockets = ctx.quick ? 100 : 400;
    // Moderate: well under one process's knee (messages/s; × 10 deliveries).
    const rate = ctx.quick ? 300 : 1500;
    const stepMs = ctx.quick ? 2000 : 5000;
    const run = setup === 'single' ? await startSingle(sockets) : await startCross(sockets);
    let open: LoadSocket[] = [];
    try {
      const hello = await connectAndHello(run.target, sockets, { urlOf: run.urlOf });
      open = hello.sockets;
      await joinRooms(run.target, open, ROOM_SIZE);
      await sleep(500);
      const fanout = new FanoutRun(open, hello.connectionIds, ROOM_SIZE, 'json');
      await fanout.step(rate, 500); // warm-up
      await sleep(300);
      const cpuMs = () => run.procs.reduce((sum, p) => sum + p.cpuMs(), 0);
      const r = await fanout.step(rate, stepMs, { cpuMs });
      const bad = open.filter((s) => s.problems.length);
      if (bad.length) throw new Error(`${setup}: fan-out: ${bad[0]!.problems.join('; ')}`);
      if (!r.complete)
        throw new Error(
          `${setup}: ${r.deliveries} deliveries of ${Math.round((rate * stepMs) / 1000) * ROOM_SIZE}`,
        );
      return {
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        cpuUsPerDelivery: r.cpuUsPerDelivery,
        deliveriesPerSec: r.deliveriesPerSec,
      };
    } finally {
      for (const s of open) s.expectClose();
      await run.stop();
      for (const s of open) s.ws.terminate();
    }
  },
  summarize(medians): SummaryRow[] {
    const row = (metric: string, key: string, unit: string): SummaryRow => {
      const values = { single: medians.single[key]!, cross: medians.cross[key]! };
      return {
        metric,
        values,
        unit,
        ratios: { 'cross / single': sig(values.cross / values.single) },
      };
    };
    return [
      row('fan-out p50 at a fixed load, 2 processes + Redis vs 1', 'p50Ms', 'ms'),
      row('fan-out p99 at a fixed load, 2 processes + Redis vs 1', 'p99Ms', 'ms'),
      row('server CPU per delivery (all Parley processes)', 'cpuUsPerDelivery', 'µs'),
    ];
  },
};
export default workload;
