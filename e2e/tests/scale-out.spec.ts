import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import {
  closeAll,
  createRoomViaApi,
  expectBytesGrowing,
  expectVideoPlaying,
  joinFromPrejoin,
  person,
  registerViaApi,
  signIn,
  tileOf,
} from '../support/call.js';
import type { Person } from '../support/call.js';
import {
  SERVICES_MISSING,
  createTestDatabase,
  dropRedisKeys,
  installProbes,
  longestFreeze,
  probeReport,
  sameVideo,
  scaleOutServices,
  startFront,
  startProcesses,
  stopWatching,
  watchCall,
} from '../support/scale-out.js';
import type { CallSample } from '../support/scale-out.js';
import type { RunningServer } from '../support/server.js';

// Parley scaled out: two processes on one PostgreSQL and one Redis, two people in one call
// whose pages and sockets are served by different processes. One process is stopped the
// way an orchestrator does (SIGTERM) in the middle of the call: it drains (1012), its
// person's browser reconnects through the load balancer to the other process, takes its
// connection over (`hello.resume`), and the peer link between the two browsers, which
// never went through the server, is never torn down.

/**
 * Longest the remote picture may stand still around the switch-over. The fake camera sends
 * ~30 frames a second and the peer link is untouched, so a still picture this long means
 * media stopped; generous for a busy two-core machine.
 */
const MAX_FREEZE_MS = 2_500;

test.describe.configure({ timeout: 90_000 });

const services = scaleOutServices();

let cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((err: unknown) => console.warn('scale-out cleanup failed:', err));
  }
  cleanups = [];
});

test('a process stopped mid-call hands its person over to the other one without breaking the call', async ({
  browser,
  playwright,
}) => {
  test.skip(!services, SERVICES_MISSING);
  const { databaseUrl, redisUrl } = services!;

  // ---- two processes, a front that sends one browser to P2 for as long as P2 is up ----
  const db = await createTestDatabase(databaseUrl);
  cleanups.push(() => db.drop());
  const redisPrefix = `parley-e2e-${randomBytes(6).toString('hex')}:`;
  cleanups.push(() => dropRedisKeys(redisUrl, redisPrefix));
  const [p1, p2] = (await startProcesses(2, {
    databaseUrl: db.url,
    redisUrl,
    redisPrefix,
  })) as [RunningServer, RunningServer];
  cleanups.push(
    () => p1.stop(),
    () => p2.stop(),
  );
  const front = await startFront([p2.port, p1.port], 'failover');
  cleanups.push(() => front.close());

  // ---- Ada (host) straight on P1; Bob (guest) through the front, so on P2 ----
  const api = await playwright.request.newContext({ baseURL: p1.baseURL });
  cleanups.push(() => api.dispose());
  const session = await registerViaApi(api, 'Ada Host');
  const room = await createRoomViaApi(api, session, { name: 'Scale-out sync', entry: 'open' });

  const people: Person[] = [];
  cleanups.push(() => closeAll(people));
  const ada = await person(browser, 'Ada Host', { baseURL: p1.baseURL });
  const bob = await person(browser, 'Bob', { baseURL: front.baseURL });
  people.push(ada, bob);
  for (const p of people) await installProbes(p.page);
  await signIn(ada.page, session);
  await joinFromPrejoin(ada.page, room.code);
  await joinFromPrejoin(bob.page, room.code, 'Bob');
  await expectVideoPlaying(ada.page, 'Bob');
  await expectVideoPlaying(bob.page, 'Ada Host');

  const connectionId = (p: Person) => p.page.evaluate(() => window.__parleyCall?.connectionId());
  const bobId = await connectionId(bob);
  const adaId = await connectionId(ada);
  expect(bobId).toBeTruthy();
  await expect(tileOf(ada.page, 'Bob')).toHaveAttribute('data-connection-id', bobId!);
  const before = { ada: await probeReport(ada.page), bob: await probeReport(bob.page) };
  expect(before.ada).toMatchObject({ peerConnections: 1, connected: 1, closeCodes: [] });
  expect(before.bob).toMatchObject({ peerConnections: 1, connected: 1, closeCodes: [] });

  // ---- P2 is told to stop, as an orchestrator does ----
  await watchCall(ada.page, 'Bob');
  await watchCall(bob.page, 'Ada Host');
  p2.kill('SIGTERM');

  // It drains and exits cleanly...
  expect(await p2.exit).toEqual({ code: 0, signal: null });
  // ...and Bob's socket, which it closed with 1012, is back, on P1 (the only one left).
  await expect
    .poll(async () => (await probeReport(bob.page)).closeCodes, { timeout: 20_000 })
    .toContain(1012);
  await expect
    .poll(() => bob.page.evaluate(() => window.__parleyCall?.connection()), { timeout: 20_000 })
    .toBe('connected');
  const health = await api.get(`${front.baseURL}/api/health`);
  expect(health.status()).toBe(200);

  // Let the call run a little past the switch-over before judging it.
  await expectBytesGrowing(ada.page, 'video');
  await expectBytesGrowing(bob.page, 'video');
  const samples = { ada: await stopWatching(ada.page), bob: await stopWatching(bob.page) };
  const after = { ada: await probeReport(ada.page), bob: await probeReport(bob.page) };
  console.log(
    `scale-out: Bob's sockets ${after.bob.sockets} (closes ${after.bob.closeCodes.join(', ')}); ` +
      `longest freeze: Ada sees Bob ${Math.round(longestFreeze(samples.ada))} ms, ` +
      `Bob sees Ada ${Math.round(longestFreeze(samples.bob))} ms; ` +
      `Bob's banner: ${describeBanner(samples.bob)}`,
  );

  // ---- the call went on, and the peer link was never torn down ----
  // Bob took his connection over: the same id, so Ada never saw him leave or come back.
  expect(await connectionId(bob)).toBe(bobId);
  expect(await connectionId(ada)).toBe(adaId);
  expect(samples.bob.every((s) => s.connectionId === null || s.connectionId === bobId)).toBe(true);
  expect(Math.min(...samples.ada.map((s) => s.remoteTiles))).toBe(1);
  await expect(tileOf(ada.page, 'Bob')).toHaveAttribute('data-connection-id', bobId!);
  // The same <video> elements showing the same streams, over the very same peer
  // connections (none made, all still connected).
  expect(await sameVideo(ada.page)).toEqual({ sameElement: true, sameStream: true });
  expect(await sameVideo(bob.page)).toEqual({ sameElement: true, sameStream: true });
  expect(after.ada).toMatchObject({ peerConnections: 1, connected: 1, closeCodes: [] });
  expect(after.bob).toMatchObject({ peerConnections: 1, connected: 1 });
  // Pictures kept moving on both sides, with no long freeze around the switch-over.
  expect(longestFreeze(samples.ada)).toBeLessThan(MAX_FREEZE_MS);
  expect(longestFreeze(samples.bob)).toBeLessThan(MAX_FREEZE_MS);
  // Bob's call never showed a failure (a short "reconnecting" at most).
  expect(samples.bob.some((s) => s.banner === 'failed')).toBe(false);
  expect(samples.ada.every((s) => s.banner === null)).toBe(true);
  await expectVideoPlaying(ada.page, 'Bob');
  await expectVideoPlaying(bob.page, 'Ada Host');
});

/** How long Bob's page showed a connection banner, for the log. */
function describeBanner(samples: CallSample[]): string {
  const shown = samples.filter((s) => s.banner !== null);
  if (shown.length === 0) return 'never shown';
  const states = [...new Set(shown.map((s) => s.banner))].join('/');
  return `${states} for ~${shown.length * 100} ms`;
}
