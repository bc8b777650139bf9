import { expect, test } from '@playwright/test';
import type { Page, TestInfo } from '@playwright/test';
import type { Page as FirefoxPage } from 'puppeteer-core';
import {
  closeAll,
  createRoomViaApi,
  expectScreenPlaying,
  expectVideoPlaying,
  joinFromPrejoin,
  person,
  registerViaApi,
  remoteVideoSelector,
  screenVideoSelector,
  signIn,
  tileOf,
} from '../support/call.js';
import type { Person } from '../support/call.js';
import {
  FIREFOX_SCREEN,
  callState,
  expectScreenPlayingIn,
  expectVideoPlayingIn,
  firefoxMissing,
  firefoxPerson,
  joinAsGuest,
  launchFirefox,
} from '../support/firefox.js';
import type { Firefox } from '../support/firefox.js';

// Chromium and Firefox in one call: the host in the suite's Chromium (Playwright), the guest in
// Debian's Firefox ESR (puppeteer over WebDriver BiDi, support/firefox.ts), through the real
// server. Both browsers' videos are checked with the same page function (videoState).

test.describe.configure({ timeout: 90_000 });

const HOST = 'Ada Host';
const GUEST = 'Felix Firefox';

const missing = firefoxMissing();

test('a Chromium host and a Firefox guest see each other, chat and share their screens', async ({
  browser,
  request,
}, testInfo) => {
  // On a developer's machine without Firefox the test is skipped; in CI it must run.
  if (missing && process.env.CI === 'true') throw new Error(`CI needs Firefox: ${missing}`);
  test.skip(missing !== undefined, missing);

  // Firefox and its X display start while the host gets into the call.
  const firefoxStarting = launchFirefox();
  // Awaited below; until then a failed start must not count as an unhandled rejection.
  firefoxStarting.catch(() => undefined);
  let host: Person | undefined;
  let fox: FirefoxPage | undefined;
  try {
    const session = await registerViaApi(request, HOST);
    const room = await createRoomViaApi(request, session, { name: 'Two browsers', entry: 'open' });
    host = await person(browser, HOST);
    await signIn(host.page, session);
    await joinFromPrejoin(host.page, room.code);

    // The host hands out the meeting link; the guest opens it in Firefox and joins by name.
    await host.page.getByTestId('invite-button').click();
    const link = (await host.page.getByTestId('meeting-link').textContent())?.trim() ?? '';
    expect(link).toMatch(/\/r\/[a-z]{3}-[a-z]{4}-[a-z]{4}$/);
    await host.page.keyboard.press('Escape');
    const firefox = await firefoxStarting;
    fox = (await firefoxPerson(firefox, GUEST)).page;
    await joinAsGuest(fox, link, GUEST);

    // Each sees the other's camera moving.
    await expect(host.page.getByTestId('tile')).toHaveCount(2);
    await Promise.all([expectVideoPlaying(host.page, GUEST), expectVideoPlayingIn(fox, HOST)]);

    // Chat both ways.
    await host.page.getByTestId('toggle-chat').click();
    await host.page.getByTestId('chat-input').fill('Hello from Chromium');
    await host.page.getByTestId('chat-input').press('Enter');
    await fox.locator('[data-testid="toggle-chat"]').click();
    await waitForChat(fox, HOST, 'Hello from Chromium');
    await fox.locator('[data-testid="chat-input"]').fill('Hello from Firefox');
    await fox.keyboard.press('Enter');
    const received = host.page
      .getByTestId('chat-message')
      .filter({ hasText: 'Hello from Firefox' });
    await expect(received).toContainText(GUEST);
    await expect(received).not.toHaveAttribute('data-own', 'true');

    // Firefox shares its (Xvfb) screen: the host sees it on the stage, 16:10 like the display,
    // while Firefox's camera (16:9, as the app asks for) keeps playing beside it.
    await fox.locator('[data-testid="toggle-screen"]').click();
    await expect(host.page.getByTestId('stage')).toHaveAttribute('data-kind', 'screen', {
      timeout: 15_000,
    });
    await expectScreenPlaying(host.page, GUEST);
    await expect
      .poll(() => aspect(host!.page, screenVideoSelector(GUEST)))
      .toBeCloseTo(FIREFOX_SCREEN.width / FIREFOX_SCREEN.height, 1);
    await expectVideoPlaying(host.page, GUEST);
    expect(await aspect(host.page, remoteVideoSelector(GUEST))).toBeCloseTo(16 / 9, 1);

    // Firefox stops; then Chromium shares and Firefox sees that screen and the camera.
    await fox.locator('[data-testid="toggle-screen"]').click();
    await expect(host.page.getByTestId('tile-screen')).toHaveCount(0, { timeout: 15_000 });
    await host.page.getByTestId('toggle-screen').click();
    await expect(host.page.getByTestId('you-are-presenting')).toBeVisible();
    await expectScreenPlayingIn(fox, HOST);
    await expectVideoPlayingIn(fox, HOST);
    await expect(tileOf(host.page, GUEST)).toHaveAttribute('data-video', 'on');
  } catch (err) {
    await dumpState(testInfo, host?.page, fox);
    throw err;
  } finally {
    await Promise.all([
      closeAll(host ? [host] : []),
      firefoxStarting.then((f: Firefox) => f.close()).catch(() => undefined),
    ]);
  }
});

/** Width / height of the video `selector` shows on a Playwright page. */
function aspect(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .evaluate((v: HTMLVideoElement) => (v.videoHeight ? v.videoWidth / v.videoHeight : 0));
}

/** Waits until Firefox shows a chat message from `sender` with `text`, not as its own. */
async function waitForChat(page: FirefoxPage, sender: string, text: string): Promise<void> {
  await page.waitForFunction(
    (from: string, want: string) =>
      [...document.querySelectorAll('[data-testid="chat-message"]')].some(
        (m) =>
          m.getAttribute('data-own') !== 'true' &&
          m.querySelector('[data-testid="chat-sender"]')?.textContent?.includes(from) &&
          m.querySelector('[data-testid="chat-text"]')?.textContent?.trim() === want,
      ),
    { timeout: 10_000 },
    sender,
    text,
  );
}

/** On a failure: both sides' links as the debug handles see them, and both screens. */
async function dumpState(
  testInfo: TestInfo,
  host: Page | undefined,
  fox: FirefoxPage | undefined,
): Promise<void> {
  const state = {
    chromium: await host
      ?.evaluate(() => ({
        connection: window.__parleyCall?.connection(),
        peers: window.__parleyCall?.peers(),
        pcs: window.__parleyCall?.peerConnections(),
      }))
      .catch((e: unknown) => String(e)),
    firefox: await (fox ? callState(fox) : Promise.resolve(undefined)).catch((e: unknown) =>
      String(e),
    ),
  };
  console.warn('call state at the failure:', JSON.stringify(state));
  await testInfo.attach('call-state.json', {
    body: JSON.stringify(state, null, 2),
    contentType: 'application/json',
  });
  const hostShot = await host?.screenshot().catch(() => undefined);
  if (hostShot) await testInfo.attach('chromium.png', { body: hostShot, contentType: 'image/png' });
  const foxShot = await fox?.screenshot().catch(() => undefined);
  if (foxShot) {
    await testInfo.attach('firefox.png', { body: Buffer.from(foxShot), contentType: 'image/png' });
  }
}
