import { expect, test } from '@playwright/test';
import { startBot } from '../support/bot.js';
import type { BotEvent, RunningBot } from '../support/bot.js';
import {
  closeAll,
  createRoomViaApi,
  expectVideoPlaying,
  joinFromPrejoin,
  person,
  registerViaApi,
  signIn,
  tileOf,
} from '../support/call.js';
import type { Person } from '../support/call.js';

// The protocol is complete when a client written from PROTOCOL.md alone can call a browser:
// examples/bot (Node, werift, no @parley/* import) joins an open room as a guest and sends
// every participant its own camera back. Chromium must show the bot's video playing, and the
// bot must report Chromium's video arriving.

test.describe.configure({ timeout: 90_000 });

const BOT = 'Mirror bot';

let people: Person[] = [];
let bot: RunningBot | undefined;
test.afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await closeAll(people);
  people = [];
});

/** A registered host, signed in, with a new open room (a guest gets in without a lobby). */
async function hostWithRoom(
  browser: Parameters<typeof person>[0],
  request: Parameters<typeof registerViaApi>[0],
) {
  const session = await registerViaApi(request, 'Ada Host');
  const room = await createRoomViaApi(request, session, { name: 'Bot call', entry: 'open' });
  const host = await person(browser, 'Ada Host');
  people.push(host);
  await signIn(host.page, session);
  return { host, room };
}

const connectionIdOf = (host: Person) =>
  host.page.evaluate(() => window.__parleyCall?.connectionId());

/** Chromium's video reaches the bot, and the bot writes it back (its counters keep rising). */
async function expectMirroring(running: RunningBot, hostId: string): Promise<void> {
  const first = await running.waitFor(
    (e) => e.event === 'first-rtp' && e.kind === 'video',
    'first video RTP',
  );
  expect(first.from).toBe(hostId);
  const counts = (e: BotEvent) => e.event === 'rtp' && e.peer === hostId;
  const before = await running.waitFor(counts, 'RTP counts');
  const later = await running.waitFor((e) => counts(e) && e.t > before.t, 'a later count', 15_000);
  expect(Number(later.videoIn)).toBeGreaterThan(Number(before.videoIn));
  expect(Number(later.videoOut)).toBeGreaterThan(Number(before.videoOut));
  console.log(`[bot] counts: ${JSON.stringify(later)}`);
}

/** The descriptions the bot received from `peer`: what the link's negotiation looked like. */
const descriptionsFrom = (running: RunningBot, peer: string) =>
  running.events
    .filter((e) => e.event === 'description' && e.peer === peer)
    .map((e) => ({ type: e.type, sections: e.sections }));

async function stopAndExpectLeft(host: Person): Promise<void> {
  const ended = await bot!.stop();
  bot = undefined;
  // SIGTERM is a clean leave: room.leave, exit code 0, and the tile goes away.
  expect(ended).toEqual({ code: 0, signal: null });
  await expect(tileOf(host.page, BOT)).toHaveCount(0, { timeout: 10_000 });
}

test('the bot joins a call in progress, offers, and mirrors the host’s camera', async ({
  browser,
  request,
  baseURL,
}) => {
  const { host, room } = await hostWithRoom(browser, request);
  await joinFromPrejoin(host.page, room.code);
  const hostId = await connectionIdOf(host);
  expect(hostId).toBeTruthy();

  bot = startBot({ baseURL: baseURL!, room: room.code, name: BOT });
  const joined = await bot.waitFor((e) => e.event === 'joined', 'joined');
  // The newcomer offers to everyone in its room.joined: here, the host.
  expect(joined.participants).toEqual([{ peer: hostId, name: 'Ada Host' }]);
  await bot.waitFor((e) => e.event === 'peer-connected' && e.peer === hostId, 'peer-connected');

  await expect(tileOf(host.page, BOT)).toBeVisible({ timeout: 15_000 });
  await expectVideoPlaying(host.page, BOT);
  await expectMirroring(bot, hostId!);
  // One negotiation: our offer and the host's answer, audio and camera (engine rules 1, 2).
  expect(descriptionsFrom(bot, hostId!)).toEqual([{ type: 'answer', sections: 2 }]);
  await stopAndExpectLeft(host);
});

test('the bot waits in an empty room, answers the host who joins, and mirrors', async ({
  browser,
  request,
  baseURL,
}) => {
  const { host, room } = await hostWithRoom(browser, request);
  bot = startBot({ baseURL: baseURL!, room: room.code, name: BOT });
  const joined = await bot.waitFor((e) => e.event === 'joined', 'joined');
  expect(joined.participants).toEqual([]);

  // The host is the newcomer now: it offers, and the bot answers on the offer's sections.
  await joinFromPrejoin(host.page, room.code);
  const hostId = await connectionIdOf(host);
  await bot.waitFor((e) => e.event === 'peer-connected' && e.peer === hostId, 'peer-connected');
  expect(bot.events.filter((e) => e.event === 'offer')).toEqual([]);

  await expect(tileOf(host.page, BOT)).toBeVisible({ timeout: 15_000 });
  await expectVideoPlaying(host.page, BOT);
  await expectMirroring(bot, hostId!);
  expect(descriptionsFrom(bot, hostId!)).toEqual([{ type: 'offer', sections: 2 }]);
  await stopAndExpectLeft(host);
});
