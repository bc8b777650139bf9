import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = path.resolve(E2E_DIR, '..');

/** Screenshots worth keeping (committed, shown in docs); failure screenshots go to test-results. */
export const SCREENSHOTS_DIR = path.join(E2E_DIR, 'screenshots');
