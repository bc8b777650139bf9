import { startServer } from './server.js';

/**
 * Starts one Parley server for the whole run and hands its URL to the workers through the
 * environment (workers inherit it and read it in playwright.config.ts). Setting
 * PARLEY_E2E_BASE_URL beforehand runs the suite against an already running server instead.
 */
export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.PARLEY_E2E_BASE_URL) return undefined;

  const server = await startServer();
  process.env.PARLEY_E2E_BASE_URL = server.baseURL;
  return () => server.stop();
}
