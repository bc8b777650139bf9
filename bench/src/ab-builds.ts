/**
 * A/B of two builds of Parley on one route: each round starts each build fresh (its own data
 * folder, production settings, server pinned to core 0 where `taskset` exists), warms it
 * for 2 s, then loads it for 8 s with autocannon (50 connections), alternating which build
 * goes first. Prints each run and the medians, and new / old.
 *
 *   npm run bench:ab -w @parley/bench -- <old dist/main.js> <new dist/main.js> <route> [rounds]
 *
 * `/api/auth/me` signs up a user on each fresh server and sends its token. An old build is
 * made with `git worktree add /tmp/old <commit>` and `npx tsc -b` in its apps/server.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Options, Result } from 'autocannon';
import { median } from './stats.js';
import { BENCH_JWT_SECRET } from './suite/seed.js';

const [oldMain, newMain, route, roundsArg = '5'] = process.argv.slice(2);
if (!oldMain || !newMain || !route?.startsWith('/')) {
  console.error('usage: ab-builds <old main.js> <new main.js> <route> [rounds]');
  process.exit(2);
}
const builds = { old: oldMain, new: newMain } as const;
type Build = keyof typeof builds;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 ticks a second
}

async function start(main: string, port: number, dir: string): Promise<ChildProcess> {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dir,
    JWT_SECRET: BENCH_JWT_SECRET,
    LOG_LEVEL: 'info',
    RATE_LIMIT_MAX: '100000000',
  };
  const p = spawn('taskset', ['-c', '0', process.execPath, main], { env, stdio: 'pipe' });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('running at')) resolve();
    });
    p.once('exit', (code) => reject(new Error(`${main} exited ${code}: ${out}`)));
  });
  return p;
}

async function headersFor(port: number): Promise<Record<string, string>> {
  if (route !== '/api/auth/me') return {};
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `ab${port}@example.org`,
      password: 'correct horse 1',
      displayName: 'AB',
    }),
  });
  const body = (await res.json()) as { tokens: { accessToken: string } };
  return { authorization: `Bearer ${body.tokens.accessToken}` };
}

const load = (opts: Options) =>
  new Promise<Result>((resolve, reject) =>
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))),
  );

const runs: Record<Build, { rps: number; us: number }[]> = { old: [], new: [] };
for (let i = 0; i < Number(roundsArg); i++) {
  const order: Build[] = i % 2 ? ['new', 'old'] : ['old', 'new'];
  for (const name of order) {
    const port = 4100 + 2 * i + (name === 'new' ? 1 : 0);
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-ab-'));
    const p = await start(builds[name], port, dir);
    try {
      const opts = {
        url: `http://127.0.0.1:${port}${route}`,
        headers: await headersFor(port),
        connections: 50,
      };
      await load({ ...opts, duration: 2 });
      const cpu0 = cpuMs(p.pid!);
      const r = await load({ ...opts, duration: 8 });
      const us = ((cpuMs(p.pid!) - cpu0) * 1000) / r.requests.total;
      if (r.non2xx > 0 || r.requests.total === 0)
        throw new Error(`${name}: ${r.non2xx} non-2xx answers`);
      runs[name].push({ rps: r.requests.average, us });
      console.log(
        `${name} round ${i + 1}: ${Math.round(r.requests.average)} req/s, ${us.toFixed(1)} µs CPU/req`,
      );
    } finally {
      p.kill('SIGTERM');
      await new Promise((resolve) => p.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
const rps = (b: Build) => median(runs[b].map((r) => r.rps));
const us = (b: Build) => median(runs[b].map((r) => r.us));
for (const b of ['old', 'new'] as const) {
  console.log(`${b}: median ${Math.round(rps(b))} req/s, ${us(b).toFixed(1)} µs CPU/req`);
}
console.log(
  `new / old: ${(rps('new') / rps('old')).toFixed(3)} × req/s, ${(us('new') / us('old')).toFixed(3)} × CPU/req`,
);
