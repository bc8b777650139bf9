import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import {
  expectVideoFlowing,
  remoteVideoSelector,
  screenVideoSelector,
  videoState,
} from './call.js';

// Firefox in the browser suite: Debian's `firefox-esr`, driven by puppeteer-core over WebDriver
// BiDi (Playwright only drives its own patched Firefox builds, which these machines cannot
// download). It runs headful on an Xvfb display of its own because Firefox captures a screen
// only from a real X display; camera and microphone are Firefox's fake devices (prefs).

/** Debian's Firefox ESR (apt `firefox-esr`), like the suite's Chromium comes from apt. */
export const FIREFOX_PATH = process.env.PARLEY_E2E_FIREFOX ?? '/usr/bin/firefox-esr';
const XVFB_PATH = '/usr/bin/Xvfb';

/**
 * The X screen Firefox runs on and shares: 16:10, unlike the cameras' 16:9, and small, since
 * capturing and encoding it costs CPU in proportion to its pixels (two cores for everything).
 * Firefox's window (90% of it) is still wide enough for the laptop layout's controls.
 */
export const FIREFOX_SCREEN = { width: 960, height: 600 };

/** What is missing to run Firefox here, or undefined when it can run. */
export function firefoxMissing(): string | undefined {
  if (!existsSync(FIREFOX_PATH)) return `no Firefox at ${FIREFOX_PATH} (apt install firefox-esr)`;
  if (!existsSync(XVFB_PATH)) return `no ${XVFB_PATH} (apt install xvfb)`;
  return undefined;
}

export interface Xvfb {
  /** The DISPLAY value, e.g. ":3". */
  display: string;
  stop(): Promise<void>;
}

/**
 * Starts Xvfb on a free display number. `-displayfd` makes Xvfb pick the number itself (it
 * skips displays whose lock is taken, so two runs on one machine cannot collide) and write it
 * once it accepts connections; the socket is then checked to be there.
 */
export async function startXvfb(screen = FIREFOX_SCREEN): Promise<Xvfb> {
  const child = spawn(
    XVFB_PATH,
    ['-displayfd', '3', '-screen', '0', `${screen.width}x${screen.height}x24`, '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const number = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Xvfb did not start within 10 s: ${stderr}`));
    }, 10_000);
    child.stdio[3]?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(out.trim());
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  for (let i = 0; !existsSync(`/tmp/.X11-unix/X${number}`); i++) {
    if (i === 100) throw new Error(`Xvfb :${number} has no socket after 5 s`);
    await sleep(50);
  }
  // A worker that exits without stop() (a test killed at its timeout) takes Xvfb along;
  // puppeteer does the same for Firefox.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    display: `:${number}`,
    async stop() {
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/**
 * Firefox prefs for a test call. The media ones are the Firefox counterparts of the suite's
 * Chromium flags `--use-fake-device-for-media-stream --use-fake-ui-for-media-stream`.
 */
const FIREFOX_PREFS: Record<string, unknown> = {
  // A synthetic camera (a plain colour slowly changing hue) and microphone (a tone)...
  'media.navigator.streams.fake': true,
  // ...granted without a prompt; this also answers getDisplayMedia with the whole screen.
  'media.navigator.permission.disabled': true,
  // Host candidates as plain addresses, not mDNS names: nobody resolves .local names here.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // No background traffic (puppeteer's profile turns off updates, telemetry, safe browsing).
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

export interface Firefox {
  browser: Browser;
  xvfb: Xvfb;
  close(): Promise<void>;
}

/** Starts Xvfb and a headful Firefox ESR on it, driven over WebDriver BiDi. */
export async function launchFirefox(): Promise<Firefox> {
  const xvfb = await startXvfb();
  try {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: FIREFOX_PATH,
      // Headful: a headless Firefox has no screen to capture.
      headless: false,
      env: { ...process.env, DISPLAY: xvfb.display },
      extraPrefsFirefox: FIREFOX_PREFS,
      // The tab is as large as Firefox's window (90% of the screen by default): no emulation.
      defaultViewport: null,
      timeout: 30_000,
    });
    return {
      browser,
      xvfb,
      async close() {
        await browser.close().catch(() => undefined);
        await xvfb.stop();
      },
    };
  } catch (err) {
    await xvfb.stop();
    throw err;
  }
}

export interface FirefoxPerson {
  name: string;
  page: Page;
}

/**
 * A tab in Firefox for `name`, with the app's debug handle on (as `person` does for
 * Chromium) and its errors in the test output.
 */
export async function firefoxPerson(firefox: Firefox, name: string): Promise<FirefoxPerson> {
  const [blank] = await firefox.browser.pages();
  const page = blank ?? (await firefox.browser.newPage());
  await page.evaluateOnNewDocument(() => {
    try {
      sessionStorage.setItem('parley.debug', '1');
    } catch {
      // A frame without storage: no call there.
    }
  });
  page.on('pageerror', (err) => console.warn(`[${name}] page error:`, String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'warn' || msg.type() === 'error') {
      console.warn(`[${name}] console ${msg.type()}:`, msg.text());
    }
  });
  return { name, page };
}

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Waits until the element `selector` has the text `text` (trimmed). */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (sel: string, want: string) => document.querySelector(sel)?.textContent?.trim() === want,
    { timeout: 15_000 },
    selector,
    text,
  );
}

/**
 * Opens a meeting link as a guest called `guestName` and goes through the pre-join page into
 * the call: what `joinFromPrejoin` does in Chromium, with puppeteer's API.
 */
export async function joinAsGuest(page: Page, link: string, guestName: string): Promise<void> {
  await page.goto(link);
  await page.locator(byTestId('guest-name')).fill(guestName);
  await page.locator(byTestId('guest-continue')).click();
  await waitForText(page, byTestId('prejoin-join'), 'Join now');
  await page.locator(byTestId('prejoin-join')).click();
  // In the call: the call page with this person's own tile and no connection banner.
  await page.waitForFunction(
    () =>
      /\/r\/[a-z-]+\/call$/.test(location.pathname) &&
      document.querySelector('[data-testid="tile"][data-self="true"]') !== null &&
      document.querySelector('[data-testid="connection-banner"]') === null,
    { timeout: 15_000 },
  );
}

/** What the debug handle says about the call in this Firefox tab (for failure output). */
export function callState(page: Page): Promise<unknown> {
  return page.evaluate(() => ({
    connection: window.__parleyCall?.connection(),
    peers: window.__parleyCall?.peers(),
    pcs: window.__parleyCall?.peerConnections(),
  }));
}

/** The camera video of `name` plays in this Firefox tab (same check as expectVideoPlaying). */
export async function expectVideoPlayingIn(page: Page, name: string): Promise<void> {
  const selector = remoteVideoSelector(name);
  await expectVideoFlowing(
    () => page.evaluate(videoState, { selector }),
    `video of ${name} in Firefox`,
    () => callState(page),
  );
}

/** The screen `name` shares plays in this Firefox tab. */
export async function expectScreenPlayingIn(page: Page, name: string): Promise<void> {
  const selector = screenVideoSelector(name);
  await expectVideoFlowing(
    () => page.evaluate(videoState, { selector }),
    `screen of ${name} in Firefox`,
    () => callState(page),
  );
}
