// `npm run start:cluster`: several Parley processes on one machine behind a small front, the
// way a load balancer runs them (docs/OPERATIONS.md, "Scaling out"). Builds when stale like
// `npm start`, then runs CLUSTER_PROCESSES (default 2) servers on 127.0.0.1, ports PORT+1 to
// PORT+N, and on PORT (default 8080) the front from cluster-front.mjs, which hands each
// request and socket to the next process that answers. Output lines are prefixed [p1], [p2]…
// Ctrl-C or SIGTERM drains every process and exits when all have exited; a process that dies
// otherwise (or is sent SIGTERM on its own) is started again. Plain Node, no dependencies.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildIfStale, repoRoot } from './build-state.mjs';
import { createFront } from './cluster-front.mjs';

const env = process.env;
const windows = process.platform === 'win32';
const exitCodeOf = (code, signal) => code ?? 128 + (constants.signals[signal] ?? 1);

// ---- settings: refuse what cannot work before building or starting anything ----

const problems = [];
const count = Number(env.CLUSTER_PROCESSES ?? 2);
if (!Number.isInteger(count) || count < 1 || count > 64) {
  problems.push('CLUSTER_PROCESSES must be a whole number from 1 to 64.');
}
const port = Number(env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 1 || port + count > 65535) {
  problems.push(`PORT must be a port number; the processes use PORT+1 to PORT+${count}.`);
}
if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL ?? '')) {
  problems.push(
    'DATABASE_URL must be a PostgreSQL URL (postgres://user:pass@host:5432/parley): several ' +
      'processes cannot share a SQLite database.',
  );
}
if (!env.REDIS_URL) {
  problems.push(
    'REDIS_URL must be set (redis://host:6379): without Redis every process keeps its own ' +
      'live state, and people on different processes would never meet in a call.',
  );
}
if (env.TLS_CERT_FILE || env.TLS_KEY_FILE) {
  problems.push(
    'TLS_CERT_FILE/TLS_KEY_FILE: the front speaks plain HTTP to the processes; terminate ' +
      'TLS in a reverse proxy in front of it instead (deploy/nginx.conf).',
  );
}
if (!env.JWT_SECRET && env.NODE_ENV === 'production') {
  problems.push(
    'JWT_SECRET is required when NODE_ENV=production (32+ characters, the same on every process).',
  );
}
if (problems.length > 0) {
  console.error(`[cluster] cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  console.error('[cluster] See docs/OPERATIONS.md ("Scaling out").');
  process.exit(1);
}

let jwtSecret = env.JWT_SECRET;
if (!jwtSecret) {
  // Every process must sign and check tokens with the same secret; one per run is enough
  // outside production (sign-ins then end when the cluster stops).
  jwtSecret = randomBytes(48).toString('base64url');
  console.log(
    '[cluster] JWT_SECRET is not set: using a random one for this run, on every process.',
  );
}

const built = await buildIfStale('cluster');
if (built !== 0) {
  console.error(`[cluster] npm run build failed (exit code ${built}); nothing was started.`);
  process.exit(built);
}

// ---- the processes ----

const entry = join(repoRoot, 'apps/server/dist/main.js');
/** The proxies in front of the front, as the user's TRUST_PROXY lists them (unset: none). */
const proxiesBeforeFront = !/^(|false|0|no)$/i.test((env.TRUST_PROXY ?? '').trim());
const childEnv = {
  ...env,
  JWT_SECRET: jwtSecret,
  // Reachable only through the front, which is their proxy: client addresses come from it
  // (and from the proxies in front of the front, when TRUST_PROXY lists some).
  HOST: '127.0.0.1',
  TRUST_PROXY: proxiesBeforeFront ? `loopback,${env.TRUST_PROXY}` : 'loopback',
};
const tty = process.stdout.isTTY;
const tints = [36, 35, 33, 32, 34, 31];

/** Restart backoff: 1 s, doubling to 30 s; reset once a process has run for 30 s. */
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** After a stop request, processes still running this long after are killed. */
const STOP_TIMEOUT_MS = 15_000;

const procs = Array.from({ length: count }, (_, i) => {
  const name = `p${i + 1}`;
  return {
    name,
    label: tty ? `\x1b[${tints[i % tints.length]}m[${name}]\x1b[0m` : `[${name}]`,
    port: port + i + 1,
    child: null,
    startedAt: 0,
    failures: 0,
    restartTimer: null,
  };
});

let stopping = false;
let exitCode = 0;

function prefixLines(stream, label, out) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    out.write(`${label} ${line}\n`);
  });
}

function start(proc) {
  proc.startedAt = Date.now();
  // Own process group: a terminal Ctrl-C reaches only us, and each server gets it once.
  const child = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    env: { ...childEnv, PORT: String(proc.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: !windows,
  });
  proc.child = child;
  prefixLines(child.stdout, proc.label, process.stdout);
  prefixLines(child.stderr, proc.label, process.stderr);
  let done = false;
  const finish = (code, why) => {
    if (done) return;
    done = true;
    proc.child = null;
    if (stopping) {
      if (code !== 0 && exitCode === 0) exitCode = code;
      exitWhenAllStopped();
      return;
    }
    // Unexpected: a crash, or someone stopped this one process. Start it again.
    if (Date.now() - proc.startedAt >= BACKOFF_MAX_MS) proc.failures = 0;
    const delay = Math.min(BACKOFF_MIN_MS * 2 ** proc.failures, BACKOFF_MAX_MS);
    proc.failures += 1;
    console.error(`[cluster] ${proc.name} ${why}; restarting it in ${delay / 1000} s`);
    proc.restartTimer = setTimeout(() => {
      proc.restartTimer = null;
      console.log(`[cluster] restarting ${proc.name} on 127.0.0.1:${proc.port}`);
      start(proc);
    }, delay);
  };
  child.on('error', (err) => finish(1, `could not start (${err.message})`));
  // 'close' waits for the output pipes, so its last lines are printed first.
  child.on('close', (code, signal) =>
    finish(exitCodeOf(code, signal), `exited (${signal ?? `code ${code}`})`),
  );
}

function exitWhenAllStopped() {
  if (procs.every((p) => p.child === null)) process.exit(exitCode);
}

let lastForward = 0;
function stop(signal) {
  // One keypress can arrive twice within milliseconds (tty and npm); a later second press is
  // passed on, so the servers' "second signal: exit now" still works.
  const now = Date.now();
  if (now - lastForward < 1000) return;
  lastForward = now;
  if (!stopping) {
    stopping = true;
    console.log(`[cluster] ${signal}: draining every process`);
    front.close();
    for (const proc of procs) {
      clearTimeout(proc.restartTimer);
      proc.restartTimer = null;
    }
    setTimeout(() => {
      for (const proc of procs) {
        if (proc.child) {
          console.error(`[cluster] ${proc.name} is still running; killing it`);
          proc.child.kill('SIGKILL');
        }
      }
    }, STOP_TIMEOUT_MS).unref();
  }
  for (const proc of procs) proc.child?.kill(signal);
  exitWhenAllStopped();
}

// ---- the front ----

const front = createFront(
  procs.map((p) => p.port),
  {
    // With TRUST_PROXY set there is a proxy before us whose X-Forwarded-For to keep.
    trustForwarded: proxiesBeforeFront,
    log: (message) => console.log(`[cluster] front: ${message}`),
  },
);
const frontHost = env.HOST || '0.0.0.0';
front.on('error', (err) => {
  if (front.listening) {
    console.error(`[cluster] front: ${err.message}`);
    return;
  }
  console.error(`[cluster] the front cannot listen on ${frontHost}:${port}: ${err.message}`);
  process.exit(1);
});
front.listen(port, frontHost, () => {
  for (const proc of procs) start(proc);
  const shown = frontHost === '0.0.0.0' || frontHost === '::' ? 'localhost' : frontHost;
  const list = procs.map((p) => `${p.name} 127.0.0.1:${p.port}`).join(', ');
  console.log(
    `\n[cluster] Parley is running at http://${shown}:${port}: ${count} processes (${list}) ` +
      'behind a round-robin front. Ctrl-C stops them all.\n',
  );
});

process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// The detached servers no longer see the terminal hang up; treat that as a stop request.
process.on('SIGHUP', () => stop('SIGTERM'));
