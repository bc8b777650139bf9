import { spawn } from 'node:child_process';
import path from 'node:path';

// The real server process, from source: config -> migrate -> listen -> signals.
const main = path.join(import.meta.dirname, '..', 'main.ts');

export type ServerProcess = ReturnType<typeof startServer>;

/** Starts `main.ts` with only `env` (and PATH); `url` resolves once it listens. */
export function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', main], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  /** The exit code, or the signal that ended it. */
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const url = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearInterval(timer);
        resolve(m[1]);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${String(code)}: ${out}`));
    });
  });
  url.catch(() => undefined); // only tests that await the URL care that it never came
  return { child, url, exited, output: () => out };
}
