import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from './paths.js';

// The reference bot (examples/bot) as a child process: its JSON log lines become events a test
// can wait for.

export type BotEvent = { t: string; event: string } & Record<string, unknown>;

export interface RunningBot {
  readonly events: readonly BotEvent[];
  /** Resolves with the first event (already seen or still to come) that matches. */
  waitFor(match: (e: BotEvent) => boolean, what: string, timeoutMs?: number): Promise<BotEvent>;
  /** SIGTERM (the bot leaves the call), SIGKILL after 5 s; resolves with how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `examples/bot/src/main.ts` in a Node of its own (tsx as a loader, one process to stop)
 * against `baseURL`, to join `room` as a guest named `name`.
 */
export function startBot(opts: { baseURL: string; room: string; name: string }): RunningBot {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'examples/bot/src/main.ts'),
      '--url',
      opts.baseURL,
      '--room',
      opts.room,
      '--name',
      opts.name,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const events: BotEvent[] = [];
  const waiters = new Set<() => void>();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters) w();
    });
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: BotEvent;
    try {
      event = JSON.parse(line) as BotEvent;
    } catch {
      console.warn(`[bot] ${line}`);
      return;
    }
    events.push(event);
    // The test output shows what the bot went through, except the periodic counts.
    if (event.event !== 'rtp') console.log(`[bot] ${line}`);
    for (const w of waiters) w();
  });

  return {
    events,
    waitFor(match, what, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) {
            done();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`the bot exited before ${what}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${what} from the bot within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = sleep(5_000).then(() => 'timeout' as const);
        if ((await Promise.race([exit, timer])) === 'timeout') child.kill('SIGKILL');
      }
      return exit;
    },
  };
}
