// `npm run screenshots -w @parley/e2e`: runs the browser tests and, only if every test passed,
// copies the screenshots the run took (test-results/screenshots, ignored by git) over the
// committed gallery (screenshots/, linked from the READMEs). Arguments go to `playwright test`,
// e.g. `-- tests/pages.spec.ts` refreshes just those shots. A shot no test takes any more is
// not deleted here: remove its file by hand.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const e2eDir = fileURLToPath(new URL('..', import.meta.url));
// Keep in step with SCREENSHOTS_DIR and GALLERY_DIR in support/paths.ts.
const runDir = join(e2eDir, 'test-results', 'screenshots');
const galleryDir = join(e2eDir, 'screenshots');

const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
const child = spawn(process.execPath, [cli, 'test', ...process.argv.slice(2)], {
  cwd: e2eDir,
  stdio: 'inherit',
});
// Ctrl-C reaches Playwright through the terminal; wait for it to clean up and exit.
process.on('SIGINT', () => {});

const code = await new Promise((resolve) => {
  child.once('error', (err) => {
    console.error(`[screenshots] could not run Playwright: ${err.message}`);
    resolve(1);
  });
  child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
});

if (code !== 0) {
  console.error('[screenshots] some tests failed; the gallery was left as it was.');
  process.exit(code);
}
if (!existsSync(runDir)) {
  console.error('[screenshots] this run took no screenshots; nothing to copy.');
  process.exit(0);
}
cpSync(runDir, galleryDir, { recursive: true });
const count = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? count(join(dir, e.name)) : 1),
    0,
  );
console.log(`[screenshots] copied ${count(runDir)} screenshots into ${galleryDir}`);
