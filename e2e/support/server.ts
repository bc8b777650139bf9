import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from './paths.js';

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface RunningServer {
  baseURL: string;
  port: number;
  /** Settles when the process has exited, with its exit code or the signal that ended it. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to the process (e.g. SIGTERM: it drains and exits by itself). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, SIGKILL after 10 s if needed, then its data directory goes; fine after an exit. */
  stop(): Promise<void>;
}

/**
 * Starts the built Parley server on a free port with an empty data directory and resolves once
 * `/api/health` answers 200. PARLEY_E2E_SERVER_ENTRY swaps the entry file (e.g. a stand-in).
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const entry = path.resolve(
    REPO_ROOT,
    process.env.PARLEY_E2E_SERVER_ENTRY ?? 'apps/server/dist/main.js',
  );
  if (!existsSync(entry)) {
    // Global setup builds the default entry, except when PARLEY_E2E_BASE_URL is set.
    throw new Error(`Server entry ${entry} does not exist; run \`npm run build\` first.`);
  }

  const port = await findFreePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'parley-e2e-'));
  const baseURL = `http://${HOST}:${port}`;

  const child = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      // Every browser of the suite comes from 127.0.0.1: one address for what would be dozens
      // of people, so the per-address guest quota (30 an hour by default) would turn the
      // later guests of a full run away.
      QUOTA_GUESTS_PER_IP_PER_HOUR: '1000',
      // The same for the HTTP rate limit (600 a minute per address): a fast run of the
      // meeting spec's browsers went past it and a pre-join page was answered 429.
      RATE_LIMIT_MAX: '20000',
      ...extraEnv,
    },
    // Warnings and crashes from the server show up in the test output.
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = waitForExit(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = sleep(SHUTDOWN_TIMEOUT_MS).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseURL, exited);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseURL, port, exit, kill: (signal) => void child.kill(signal), stop };
}

export async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, HOST, resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No TCP port assigned');
  return address.port;
}

function waitForExit(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });
}

async function waitForHealth(baseURL: string, exited: Promise<string>): Promise<void> {
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastProblem = 'no answer yet';

  while (Date.now() < deadline) {
    if (exitReason !== undefined) {
      throw new Error(`Parley server exited during start-up (${exitReason})`);
    }
    try {
      const response = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      lastProblem = `GET /api/health answered ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(
    `Parley server at ${baseURL} not healthy after ${STARTUP_TIMEOUT_MS} ms: ${lastProblem}`,
  );
}
