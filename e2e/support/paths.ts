import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = path.resolve(E2E_DIR, '..');

/**
 * Where a run writes its screenshots: inside Playwright's output folder, which git ignores and
 * every run empties first, so running the tests never changes tracked files.
 */
export const SCREENSHOTS_DIR = path.join(E2E_DIR, 'test-results', 'screenshots');

/**
 * The committed gallery the READMEs link to. Only `npm run screenshots -w @parley/e2e` writes
 * here (scripts/update-screenshots.mjs), after a run in which every test passed.
 */
export const GALLERY_DIR = path.join(E2E_DIR, 'screenshots');
