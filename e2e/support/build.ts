import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './paths.js';

/**
 * Builds protocol, server and web (`npm run build`) unless their output is newer than their
 * sources: the same check, stamp and build step `npm start` uses (scripts/build-state.mjs),
 * so a fresh clone needs no separate build and a current build costs a few file stats.
 */
export async function buildIfStale(): Promise<void> {
  // Loaded by URL: the module is plain JavaScript outside this TypeScript project.
  const url = pathToFileURL(path.join(REPO_ROOT, 'scripts', 'build-state.mjs')).href;
  const state = (await import(url)) as { buildIfStale: (tag: string) => Promise<number> };
  const code = await state.buildIfStale('e2e');
  if (code !== 0) throw new Error(`npm run build failed (${code}); no tests were run`);
}
