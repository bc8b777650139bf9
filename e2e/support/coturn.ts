import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from './server.js';

export interface RunningCoturn {
  port: number;
  secret: string;
  /** Lines coturn logged, for assertions and for diagnosing a failed test. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A real coturn on 127.0.0.1 with the shared-secret scheme Parley uses. Loopback peers
 * are allowed here only because both browsers live on this machine; the shipped
 * deploy/turnserver.conf never allows them.
 */
export async function startCoturn(): Promise<RunningCoturn> {
  if (spawnSync('sh', ['-c', 'command -v turnserver']).status !== 0) {
    throw new Error('coturn is required for the TURN tests: apt-get install -y coturn');
  }
  const port = await findFreePort();
  const secret = `e2e-${Math.random().toString(36).slice(2)}-secret`;
  const dir = await mkdtemp(path.join(tmpdir(), 'parley-coturn-'));
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--min-port=50000',
      '--max-port=50999',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=parley.test',
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--fingerprint',
      '--verbose',
      '--log-file=stdout',
      `--pidfile=${path.join(dir, 'turnserver.pid')}`,
      `--userdb=${path.join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Ready when it answers a STUN binding request.
  for (let i = 0; i < 40; i++) {
    const probe = spawnSync('turnutils_stunclient', ['-p', String(port), '127.0.0.1'], {
      timeout: 1000,
      encoding: 'utf8',
    });
    if (probe.status === 0 && /reflexive addr/i.test(probe.stdout)) {
      return { port, secret, log: () => output, stop };
    }
    if (child.exitCode !== null) break;
    await sleep(250);
  }
  await stop();
  throw new Error(`coturn did not start on port ${port}:\n${output.slice(-2000)}`);
}
