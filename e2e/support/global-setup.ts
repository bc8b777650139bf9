import { buildIfStale } from './build.js';
import { startServer } from './server.js';

/**
 * Builds what is missing or out of date (as `npm start` does), starts one Parley server for
 * the whole run and hands its URL to the workers through the environment (workers inherit it
 * and read it in playwright.config.ts). Setting PARLEY_E2E_BASE_URL beforehand runs the suite
 * against an already running server instead, with no build.
 */
export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PARLEY_E2E_BASE_URL) return undefined;

  // A stand-in entry (PARLEY_E2E_SERVER_ENTRY) brings its own files.
  if (!process.env.PARLEY_E2E_SERVER_ENTRY) await buildIfStale();
  const server = await startServer();
  process.env.PARLEY_E2E_BASE_URL = server.baseURL;
  return () => server.stop();
}
