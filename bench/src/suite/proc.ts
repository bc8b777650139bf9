/**
 * The processes a suite workload measures: each subject (Parley or a ceiling/peer server)
 * runs as its own child process pinned to the server core with `taskset`, while the load
 * generator (this process) runs on the other core. CPU time and memory are read from /proc,
 * so they are the subject's own, not the machine's.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Core 0 runs the subject, core 1 the generator (the npm script pins this process there). */
export const SERVER_CORE = 0;
export const GENERATOR_CORE = 1;

const CLK_TCK = 100; // USER_HZ on Linux; /proc/<pid>/stat counts in these ticks.

export type Subject = {
  /** Base URL, e.g. http://127.0.0.1:41234 (ws:// is derived by callers). */
  url: string;
  pid: number;
  /** CPU time (user + system) the process has used so far, in ms. */
  cpuMs(): number;
  /** Resident set size now, in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
};

export type SpawnOptions = {
  /** Node arguments after `node` (script path and its arguments). */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The child prints this line pattern once listening; group 1 is the port. */
  readyPattern?: RegExp;
  /** Pin to this core (default SERVER_CORE); taskset is skipped where it does not exist. */
  core?: number;
};

const DEFAULT_READY = /listening on .*:(\d+)/i;

function hasTaskset(): boolean {
  try {
    readFileSync('/usr/bin/taskset');
    return true;
  } catch {
    return false;
  }
}

/** Starts `node …args` pinned to a core and resolves once it printed its port. */
export async function spawnSubject(opts: SpawnOptions): Promise<Subject> {
  const core = opts.core ?? SERVER_CORE;
  const pinned = hasTaskset() && os.cpus().length > 1;
  const [cmd, args] = pinned
    ? ['taskset', ['-c', String(core), process.execPath, ...opts.args]]
    : [process.execPath, opts.args];
  const child: ChildProcess = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pattern = opts.readyPattern ?? DEFAULT_READY;
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = pattern.exec(output);
      if (m?.[1]) resolve(Number(m[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`subject exited (${code ?? signal}) before listening:\n${output}`)),
    );
    child.once('error', reject);
  });
  // Keep draining the pipes so a chatty subject never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const pid = child.pid;
  if (pid === undefined) throw new Error('subject has no pid');
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    cpuMs: () => processCpuMs(pid),
    rssBytes: () => processRssBytes(pid),
    stop: () => stopProcess(child),
  };
}

/** utime + stime of a process (all its threads), in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces, so split after ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Waits until the 1-minute load average is below `max` (default: half a core), up to
 * `timeoutMs`, and returns the load it saw: every round records it, so a noisy round shows.
 */
export async function quietMachine(max = 0.5, timeoutMs = 60_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const load = os.loadavg()[0] ?? 0;
    if (load < max || Date.now() >= end) return load;
    await sleep(2000);
  }
}
