import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';

/**
 * A Redis of the test's own (the machine's redis-server binary on a free port), which the
 * test may stop and start again without disturbing the shared one. `persist`: append-only
 * file in a private directory, so a restart keeps the data; otherwise it comes back empty.
 */
export async function ownRedis(opts: { persist: boolean }) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ReturnType<typeof spawn> | undefined;

  async function start(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
    args.push('--appendonly', opts.persist ? 'yes' : 'no', '--appendfsync', 'always');
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    child = proc;
    await until(async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      return ping(url);
    });
  }

  /** Like `redis-cli shutdown nosave`: the server stops; with `persist` the AOF keeps the data. */
  async function stop(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }

  await start();
  return { url, port, start, stop };
}

async function ping(url: string): Promise<boolean> {
  const c = createClient({ url, socket: { reconnectStrategy: false } });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    if (c.isOpen) c.destroy();
  }
}

/** Polls on real time: a child process is starting. */
async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('redis-server did not come up');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}
