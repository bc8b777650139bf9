import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test';
import { SCREENSHOTS_DIR } from './paths.js';

// Helpers for the call tests: people in their own browser contexts, rooms made over the API
// where the UI is not what a test is about, and waits on what the call page shows.

export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1280, height: 720 };

export type Session = {
  user: { id: string; displayName: string };
  tokens: { accessToken: string };
};

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
}

/**
 * A fresh browser context (its own storage, its own fake camera and mic) and a page;
 * `baseURL` points it at another server than the suite's (e.g. one process of a cluster).
 */
export async function person(
  browser: Browser,
  name: string,
  opts: { viewport?: { width: number; height: number }; phone?: boolean; baseURL?: string } = {},
): Promise<Person> {
  const context = await browser.newContext({
    ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
    viewport: opts.viewport ?? LAPTOP,
    ...(opts.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  // The app's debug handle (window.__parleyCall, read by inboundBytes and friends) exists
  // only in a tab opened with `?debug`; this is what that address leaves in the tab.
  await context.addInitScript(() => {
    try {
      sessionStorage.setItem('parley.debug', '1');
    } catch {
      // A frame without storage (an embed's error page): no call there.
    }
  });
  const page = await context.newPage();
  // Surfaces browser-side failures in the test output.
  page.on('pageerror', (err) => console.warn(`[${name}] page error:`, err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'warning' || msg.type() === 'error') {
      console.warn(`[${name}] console ${msg.type()}:`, msg.text());
    }
  });
  return { name, context, page };
}

export async function closeAll(people: Person[]): Promise<void> {
  await Promise.all(people.map((p) => p.context.close().catch(() => undefined)));
}

/**
 * The browsers a spec file's tests open, closed after each test. Call it once at the top of
 * the file; `newPerson` opens one (as person() does) and `keep` adopts one made elsewhere.
 */
export function peopleOfEachTest() {
  let people: Person[] = [];
  test.afterEach(async () => {
    await closeAll(people);
    people = [];
  });
  const keep = <P extends Person>(p: P): P => {
    people.push(p);
    return p;
  };
  const newPerson = async (...args: Parameters<typeof person>): Promise<Person> =>
    keep(await person(...args));
  return { keep, newPerson };
}

export async function registerViaApi(request: APIRequestContext, name: string): Promise<Session> {
  const res = await request.post('/api/auth/register', {
    data: { email: `${randomUUID()}@parley.test`, password: 'correct horse 42', displayName: name },
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as Session;
}

export async function createRoomViaApi(
  request: APIRequestContext,
  host: Session,
  body: Record<string, unknown>,
): Promise<{ id: string; code: string; name: string }> {
  const res = await request.post('/api/rooms', {
    headers: { authorization: `Bearer ${host.tokens.accessToken}` },
    data: { visibility: 'private', ...body },
  });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { room: { id: string; code: string; name: string } }).room;
}

/** Signs a page in as `session` before the app loads (the app keeps it in localStorage). */
export async function signIn(page: Page, session: Session): Promise<void> {
  await page.addInitScript((value) => {
    try {
      if (!localStorage.getItem('parley.session')) localStorage.setItem('parley.session', value);
    } catch {
      // A frame without storage (an embed's error page): nothing to sign in there.
    }
  }, JSON.stringify(session));
}

/**
 * Goes through the pre-join page into the call of an open room (or one where this person is
 * already let in), as a guest named `guestName` when not signed in.
 */
export async function joinFromPrejoin(page: Page, code: string, guestName?: string): Promise<void> {
  await page.goto(`/r/${code}?debug=1`);
  if (guestName) {
    await page.getByTestId('guest-name').fill(guestName);
    await page.getByTestId('guest-continue').click();
  }
  await expect(page.getByTestId('prejoin-join')).toHaveText('Join now');
  await page.getByTestId('prejoin-join').click();
  await inCall(page);
}

/** The call page is up and this person is in the call. */
export async function inCall(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/r\/[a-z-]+\/call$/);
  await expect(selfTile(page)).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 15_000 });
}

export const selfTile = (page: Page) => page.locator('[data-testid="tile"][data-self="true"]');

/** The tile of the other person called `name` on this page. */
export const tileOf = (page: Page, name: string) =>
  page.locator(`[data-testid="tile"]:not([data-self])[data-name="${name}"]`);

export const remoteVideoOf = (page: Page, name: string) =>
  tileOf(page, name).getByTestId('remote-video');

/** CSS for the other person's camera video (remoteVideoOf), for pages that are not Playwright's. */
export const remoteVideoSelector = (name: string) =>
  `[data-testid="tile"]:not([data-self])[data-name="${name}"] [data-testid="remote-video"]`;

/** CSS for the video of the screen `name` shares. */
export const screenVideoSelector = (name: string) =>
  `[data-testid="tile-screen"][data-name="${name}"] [data-testid="screen-video"]`;

/** What a `<video>` shows: its frame size and how many frames it has put on screen. */
export interface VideoState {
  width: number;
  height: number;
  /** Frames presented since a test first looked at this element (0 at first). */
  frames: number;
}

/**
 * Page function: the state of the first video matching `selector`, null when there is none.
 * Written once for both drivers, `page.evaluate(videoState, { selector })` on a Playwright
 * page (Chromium) and on a puppeteer one (Firefox, support/firefox.ts), so both browsers are
 * checked the same way. Frames are counted with `requestVideoFrameCallback`, which Chromium
 * and Firefox both have, rather than with `getVideoPlaybackQuality().totalVideoFrames`, which
 * Firefox leaves at 0 for a video fed by a MediaStream. The callbacks come at the page's
 * rendering rate, which on a loaded machine drops to a few a second, so the count is the
 * growth of their `presentedFrames` (every frame the player took), not the number of calls.
 * The first look starts the counting on the element; it goes on as long as the element lives.
 * Self-contained: the driver sends its source text into the page.
 */
export function videoState(arg: { selector: string }): VideoState | null {
  type Counted = HTMLVideoElement & {
    __e2eFrames?: number;
    __e2ePresented?: number;
    __e2eCount?: VideoFrameRequestCallback;
  };
  const video = document.querySelector<Counted>(arg.selector);
  if (!video) return null;
  if (video.__e2eCount === undefined) {
    video.__e2eFrames = 0;
    // A property, not a named local: esbuild-style transpilers (tsx) wrap named inner
    // functions in a `__name` helper that does not exist in the page.
    video.__e2eCount = (_now, meta) => {
      const last = video.__e2ePresented;
      // A new source restarts presentedFrames: count that as one frame.
      if (last !== undefined) {
        const grown = meta.presentedFrames >= last ? meta.presentedFrames - last : 1;
        video.__e2eFrames = (video.__e2eFrames ?? 0) + grown;
      }
      video.__e2ePresented = meta.presentedFrames;
      if (video.__e2eCount) video.requestVideoFrameCallback(video.__e2eCount);
    };
    video.requestVideoFrameCallback(video.__e2eCount);
  }
  return { width: video.videoWidth, height: video.videoHeight, frames: video.__e2eFrames ?? 0 };
}

/**
 * A video is playing: it gets frames of a real size within 20 s, and then keeps presenting
 * new ones (the fake cameras and screens never stand still). `read` is `videoState` run in
 * whichever browser shows the video; `dump` says what the call looked like when it is not.
 */
export async function expectVideoFlowing(
  read: () => Promise<VideoState | null>,
  what: string,
  dump: () => Promise<unknown>,
): Promise<void> {
  try {
    await expect
      .poll(async () => (await read())?.width ?? 0, {
        timeout: 20_000,
        message: `${what} should have frames of a real size`,
      })
      .toBeGreaterThan(0);
    // And the picture moves: the frames keep coming.
    const frames = async () => (await read())?.frames ?? -1;
    const before = await frames();
    await expect
      .poll(frames, { timeout: 10_000, message: `${what} should keep presenting new frames` })
      .toBeGreaterThan(before + 5);
  } catch (err) {
    console.warn(`no ${what}:`, JSON.stringify(await dump().catch((e: unknown) => String(e))));
    throw err;
  }
}

/** The page's links as its debug handle sees them, for the output of a failed check. */
const linkStates = (page: Page) =>
  page.evaluate(() => ({
    peers: window.__parleyCall?.peers(),
    pcs: window.__parleyCall?.peerConnections(),
  }));

/** The other person's video is playing here: frames of a real size keep being presented. */
export async function expectVideoPlaying(page: Page, name: string): Promise<void> {
  await expect(remoteVideoOf(page, name)).toBeVisible({ timeout: 15_000 });
  const selector = remoteVideoSelector(name);
  await expectVideoFlowing(
    () => page.evaluate(videoState, { selector }),
    `video of ${name}`,
    () => linkStates(page),
  );
}

/** The screen `name` shares plays here, on the stage beside the cameras (Chromium). */
export async function expectScreenPlaying(page: Page, name: string): Promise<void> {
  const selector = screenVideoSelector(name);
  await expect(page.locator(selector)).toBeVisible({ timeout: 15_000 });
  await expectVideoFlowing(
    () => page.evaluate(videoState, { selector }),
    `screen of ${name}`,
    () => linkStates(page),
  );
}

/** Bytes received over all peer connections (the app's debug handle, see debug.ts). */
export function inboundBytes(page: Page, kind?: 'audio' | 'video'): Promise<number> {
  return page.evaluate(async (k) => {
    const handle = window.__parleyCall;
    if (!handle) throw new Error('no __parleyCall on this page');
    return handle.inboundBytes(k);
  }, kind);
}

/** Media keeps arriving: inbound-rtp bytes grow by at least `minBytes` from now on. */
export async function expectBytesGrowing(
  page: Page,
  kind?: 'audio' | 'video',
  minBytes = 20_000,
): Promise<void> {
  const start = await inboundBytes(page, kind);
  await expect
    .poll(async () => (await inboundBytes(page, kind)) - start, {
      timeout: 15_000,
      message: `inbound ${kind ?? 'media'} bytes should grow`,
    })
    .toBeGreaterThan(minBytes);
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`) });
}

declare global {
  interface Window {
    __parleyCall?: {
      connectionId(): string | undefined;
      connection(): string;
      inboundBytes(kind?: 'audio' | 'video'): Promise<number>;
      peers(): unknown[];
      peerConnections(): unknown[];
      dropSocket(): boolean;
    };
  }
}
