// `npm start`: build when any package's output is missing or older than its sources, then
// run the server with this process's environment. Plain Node, no dependencies.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { buildIfStale, repoRoot } from './build-state.mjs';

const exitCodeOf = (code, signal) => code ?? 128 + (constants.signals[signal] ?? 1);

const built = await buildIfStale('start');
if (built !== 0) {
  console.error(`[start] npm run build failed (exit code ${built}); the server was not started.`);
  process.exit(built);
}

// Own process group: a terminal Ctrl-C then reaches only us (and npm, which forwards it to
// us again), and the server receives it once, from us.
const server = spawn(process.execPath, [join(repoRoot, 'apps/server/dist/main.js')], {
  cwd: repoRoot,
  env: process.env,
  stdio: 'inherit',
  detached: process.platform !== 'win32',
});

let lastForward = 0;
function forward(signal) {
  // One keypress can arrive twice within milliseconds (tty and npm); a later second press
  // is passed on, so a server that force-quits on a second signal still can.
  const now = Date.now();
  if (now - lastForward < 1000) return;
  lastForward = now;
  if (server.exitCode === null && server.signalCode === null) server.kill(signal);
}
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));
// The detached server no longer sees the terminal hang up; treat that as a stop request.
process.on('SIGHUP', () => forward('SIGTERM'));

server.on('error', (err) => {
  console.error(`[start] could not start the server: ${err.message}`);
  process.exit(1);
});
server.on('exit', (code, signal) => process.exit(exitCodeOf(code, signal)));
