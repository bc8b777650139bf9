// Is the build output current, and build it if not. Used by `npm start` (scripts/start.mjs)
// and the browser tests (e2e/support/build.ts); plain Node, no dependencies.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// Inputs every package shares: compiler settings and dependency versions.
const sharedInputs = ['tsconfig.base.json', 'package-lock.json'];

const packages = [
  {
    dir: 'packages/protocol',
    entry: 'dist/index.js',
    inputs: ['src', 'package.json', 'tsconfig.json'],
    // tsc -b only touches its .tsbuildinfo when no emitted file would change.
    outputs: ['dist', 'tsconfig.tsbuildinfo'],
  },
  {
    dir: 'apps/server',
    entry: 'dist/main.js',
    inputs: ['src', 'package.json', 'tsconfig.json'],
    outputs: ['dist', 'tsconfig.tsbuildinfo'],
  },
  {
    dir: 'apps/web',
    entry: 'dist/index.html',
    inputs: [
      'src',
      'public',
      'index.html',
      'package.json',
      'tsconfig.json',
      'tsconfig.app.json',
      'tsconfig.node.json',
      'vite.config.ts',
      'vite.config.mts',
      'vite.config.js',
    ],
    outputs: ['dist'],
  },
];

// Dated when the last build run by start.mjs began: a source no build step reads (a test
// file tsc excludes, say) would otherwise look newer than the output forever.
const stampPath = (root) => join(root, 'node_modules', '.cache', 'parley', 'last-build');

const none = { mtime: 0, file: null };
const later = (a, b) => (b.mtime > a.mtime ? b : a);

/** Newest mtime (ms) of a file, or of the files under a folder, and which file it is. */
export function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return none;
  }
  if (!st.isDirectory()) return { mtime: st.mtimeMs, file: path };
  return (
    readdirSync(path, { withFileTypes: true })
      // Editor swap and backup files are not sources.
      .filter((e) => !e.name.startsWith('.') && !e.name.endsWith('~') && e.name !== 'node_modules')
      .map((e) => newest(join(path, e.name)))
      .reduce(later, none)
  );
}

/** Why a build is needed, or null when every package's output is current. */
export function staleReason(root = repoRoot) {
  const stamp = newest(stampPath(root)).mtime;
  const shared = sharedInputs.map((p) => newest(join(root, p))).reduce(later, none);
  for (const pkg of packages) {
    const dir = join(root, pkg.dir);
    if (!existsSync(join(dir, pkg.entry))) return `${pkg.dir}/${pkg.entry} is missing`;
    const input = pkg.inputs.map((p) => newest(join(dir, p))).reduce(later, shared);
    const output = pkg.outputs.map((p) => newest(join(dir, p))).reduce(later, none);
    if (input.mtime > Math.max(stamp, output.mtime)) {
      return `${relative(root, input.file)} is newer than the ${pkg.dir} build`;
    }
  }
  return null;
}

/** Record a successful build that started at `startedAt`. */
export function markBuilt(startedAt, root = repoRoot) {
  const path = stampPath(root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, startedAt, startedAt);
}

/**
 * `npm run build` when the output is stale (see staleReason), then stamps it. Returns the
 * build's exit code: 0 when nothing had to be built or the build worked. `tag` prefixes
 * the messages (`[start]`, `[e2e]`).
 */
export async function buildIfStale(tag, root = repoRoot) {
  const reason = staleReason(root);
  if (!reason) return 0;
  console.log(`[${tag}] ${reason}; running npm run build`);
  const startedAt = new Date();
  const code = await runBuild(tag, root);
  if (code === 0) markBuilt(startedAt, root);
  return code;
}

function runBuild(tag, root) {
  // Under `npm start`/`npm run`, npm_execpath is npm's own CLI script; run it with this Node.
  const cli = process.env.npm_execpath;
  const child =
    cli && /\.[cm]?js$/.test(cli)
      ? spawn(process.execPath, [cli, 'run', 'build'], { cwd: root, stdio: 'inherit' })
      : spawn('npm', ['run', 'build'], {
          cwd: root,
          stdio: 'inherit',
          shell: process.platform === 'win32',
        });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      console.error(`[${tag}] could not run npm: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 1)));
  });
}
