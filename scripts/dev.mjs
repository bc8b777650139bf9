// `npm run dev`: the server from source in watch mode and the Vite dev server, side by side.
// Output lines are prefixed [server]/[web]; Ctrl-C, or either one exiting, stops both.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './build-state.mjs';

const port = process.env.PORT || '8080';
const color = process.stdout.isTTY ? { FORCE_COLOR: '1' } : {};
const windows = process.platform === 'win32';

// Under `npm run dev`, npm_execpath is npm's own CLI script; run it with this Node.
const npmCli = process.env.npm_execpath;
const npm = npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, npmCli] : ['npm'];

const specs = [
  {
    name: 'server',
    tint: 36,
    command: [
      process.execPath,
      '--conditions=@parley/source',
      '--import',
      'tsx',
      '--watch',
      join('apps', 'server', 'src', 'main.ts'),
    ],
    env: { PORT: port },
    // node --watch passes the signal on to the app itself; signalling the group would
    // deliver it twice.
    signalGroup: false,
  },
  {
    name: 'web',
    tint: 35,
    command: [...npm, 'run', 'dev', '-w', '@parley/web'],
    env: { PARLEY_API_PORT: port },
    // npm does not pass SIGINT on, and on SIGTERM its `sh -c` dies leaving Vite running.
    signalGroup: true,
  },
];

const children = [];
const finished = new Set();
let stopping = false;
let exitCode = 0;

function prefixLines(stream, label, out) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    out.write(`${label} ${line}\n`);
  });
}

function kill(child, group, signal) {
  try {
    if (group && !windows) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const { child, signalGroup } of children) {
    if (finished.has(child)) continue;
    kill(child, signalGroup, signal);
  }
  // Anything still alive after 5 s is killed with its whole process group.
  setTimeout(() => {
    for (const { child } of children) {
      if (!finished.has(child)) kill(child, true, 'SIGKILL');
    }
  }, 5000).unref();
}

for (const spec of specs) {
  const label = process.stdout.isTTY ? `\x1b[${spec.tint}m[${spec.name}]\x1b[0m` : `[${spec.name}]`;
  const [file, ...args] = spec.command;
  // Own process group, so a terminal Ctrl-C reaches each tool once, through stopAll.
  const child = spawn(file, args, {
    cwd: repoRoot,
    env: { ...process.env, ...color, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: !windows,
    shell: windows && file === 'npm',
  });
  children.push({ child, signalGroup: spec.signalGroup });
  prefixLines(child.stdout, label, process.stdout);
  prefixLines(child.stderr, label, process.stderr);
  const finish = (message, code) => {
    if (finished.has(child)) return;
    finished.add(child);
    if (!stopping) {
      console.error(`${label} ${message}; stopping the rest`);
      exitCode = code;
      stopAll('SIGTERM');
    }
    if (finished.size === children.length) process.exit(exitCode);
  };
  child.on('error', (err) => finish(`could not start: ${err.message}`, 1));
  // 'close' waits for the output pipes, so the last lines are printed before we exit.
  child.on('close', (code, signal) => finish(`exited (${signal ?? `code ${code}`})`, code ?? 1));
}

console.log(`[dev] API on http://127.0.0.1:${port}; Vite prints the web URL. Ctrl-C stops both.`);
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
process.on('SIGHUP', () => stopAll('SIGTERM'));
