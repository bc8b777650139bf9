import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import {
  PHONE,
  createRoomViaApi,
  expectBytesGrowing,
  expectVideoPlaying,
  inCall,
  joinFromPrejoin,
  registerViaApi,
  remoteVideoOf,
  selfTile,
  shot,
  signIn,
  tileOf,
  peopleOfEachTest,
} from '../support/call.js';

// Real calls between real browsers: every person is a fresh browser context of Debian's
// Chromium with a fake camera and microphone, talking through the real server.

test.describe.configure({ timeout: 90_000 });

const { newPerson } = peopleOfEachTest();

/** A registered host (signed in through the API) already in the call of a new open room. */
async function hostInOpenRoom(
  browser: Browser,
  request: Parameters<typeof registerViaApi>[0],
  name = 'Ada Host',
) {
  const session = await registerViaApi(request, name);
  const room = await createRoomViaApi(request, session, { name: 'Team sync', entry: 'open' });
  const host = await newPerson(browser, name);
  await signIn(host.page, session);
  await joinFromPrejoin(host.page, room.code);
  return { host, room, session };
}

/** Width of the video the other person's tile shows. */
const videoWidth = (page: Page, name: string) =>
  remoteVideoOf(page, name).evaluate((v: HTMLVideoElement) => v.videoWidth);

test('a host creates an approval room, admits a guest from the lobby, and both see each other', async ({
  browser,
}) => {
  // The host signs up and creates the room in the UI.
  const host = await newPerson(browser, 'Ada Host');
  await host.page.goto('/register');
  await host.page.getByTestId('register-name').fill('Ada Host');
  await host.page.getByTestId('register-email').fill(`${randomUUID()}@parley.test`);
  await host.page.getByTestId('register-password').fill('correct horse 42');
  await host.page.getByTestId('register-submit').click();
  await expect(host.page).toHaveURL(/\/rooms$/);
  await host.page.getByTestId('create-room-name').fill('Design review');
  await host.page.getByTestId('create-room-entry').selectOption('approval');
  await host.page.getByTestId('create-room-submit').click();
  await host.page.getByTestId('created-room-join').click();
  await expect(host.page.getByTestId('prejoin-join')).toHaveText('Join now');
  await host.page.getByTestId('prejoin-join').click();
  await inCall(host.page);
  await expect(host.page.getByTestId('call-room-name')).toHaveText('Design review');

  // The host copies the meeting link from "Add people".
  await host.page.getByTestId('invite-button').click();
  const link = (await host.page.getByTestId('meeting-link').textContent())?.trim() ?? '';
  expect(link).toMatch(/\/r\/[a-z]{3}-[a-z]{4}-[a-z]{4}$/);
  await host.page.keyboard.press('Escape');
  await expect(host.page.getByTestId('invite-dialog')).toHaveCount(0);

  // The guest opens it, gives a name, knocks and waits. (Going straight to the call page
  // first only leads to the pre-join page: nobody has let the guest in yet.)
  const guest = await newPerson(browser, 'Grace Guest');
  await guest.page.goto(`${link}/call`);
  await expect(guest.page).toHaveURL(link);
  await guest.page.getByTestId('guest-name').fill('Grace Guest');
  await guest.page.getByTestId('guest-continue').click();
  await expect(guest.page.getByTestId('prejoin-join')).toHaveText('Ask to join');
  await expect
    .poll(() =>
      guest.page.getByTestId('prejoin-video').evaluate((v: HTMLVideoElement) => v.videoWidth),
    )
    .toBeGreaterThan(0);
  await shot(guest.page, 'prejoin');
  await guest.page.getByTestId('prejoin-join').click();
  await expect(guest.page.getByTestId('lobby-waiting')).toBeVisible();
  await shot(guest.page, 'lobby-waiting');

  // The host hears the knock as a toast (the participants panel is closed) and admits.
  const toast = host.page.getByTestId('lobby-toast');
  await expect(toast).toContainText('Grace Guest wants to join');
  await shot(host.page, 'call-lobby-knock');
  await toast.getByTestId('admit').click();
  await expect(toast).toHaveCount(0);

  await inCall(guest.page);
  await expectVideoPlaying(host.page, 'Grace Guest');
  await expectVideoPlaying(guest.page, 'Ada Host');
  await expectBytesGrowing(host.page);
  await expectBytesGrowing(guest.page);
  // Each knows the other's role; the timer runs.
  await expect(tileOf(guest.page, 'Ada Host')).toHaveAttribute('aria-label', /Host/);
  await expect(host.page.getByTestId('call-timer')).toHaveText(/^\d\d:\d\d$/);
});

test('three people make a mesh where everyone sees both others', async ({ browser, request }) => {
  const { host } = await hostInOpenRoom(browser, request);

  // The second person comes with the meeting link, the third with the host's invite link.
  const bob = await newPerson(browser, 'Bob');
  await joinFromPrejoin(bob.page, meetingCode(host.page), 'Bob');

  await host.page.getByTestId('invite-button').click();
  await host.page.getByTestId('copy-invite-link').click();
  const invite = (await host.page.getByTestId('invite-link-url').textContent())?.trim() ?? '';
  expect(invite).toMatch(/\/i\/[A-Za-z2-9]{5}-[A-Za-z2-9]{5}$/);
  await host.page.keyboard.press('Escape');

  const cleo = await newPerson(browser, 'Cleo');
  await cleo.page.goto(invite);
  await cleo.page.getByTestId('guest-name').fill('Cleo');
  await cleo.page.getByTestId('invite-join').click();
  await expect(cleo.page.getByTestId('prejoin-join')).toHaveText('Join now');
  await cleo.page.getByTestId('prejoin-join').click();
  await inCall(cleo.page);

  const everyone = [host, bob, cleo];
  for (const me of everyone) {
    await expect(me.page.getByTestId('tile')).toHaveCount(3);
    for (const other of everyone) {
      if (other !== me) await expectVideoPlaying(me.page, other.name);
    }
  }
  for (const me of everyone) await expectBytesGrowing(me.page, 'video');
  await expect(host.page.getByTestId('video-grid').locator('[data-cols]')).toHaveAttribute(
    'data-cols',
    '2',
  );
  await shot(host.page, 'call-3way');

  await host.page.getByTestId('toggle-participants').click();
  await expect(host.page.getByTestId('participant')).toHaveCount(3);
  await shot(host.page, 'call-3way-people');
});

test('mute, camera off and screen share show on the other side', async ({ browser, request }) => {
  const { host } = await hostInOpenRoom(browser, request);
  const bob = await newPerson(browser, 'Bob');
  // Chromium's fake screen capture is 16:9 like the fake camera; asking it for 800x450 (a
  // size the camera's encoder never scales to) tells the two apart at the receiving end.
  await bob.page.addInitScript(() => {
    const devices = navigator.mediaDevices;
    const original = devices.getDisplayMedia.bind(devices);
    devices.getDisplayMedia = (options) =>
      original({ ...options, video: { width: 800, height: 450 } });
  });
  await joinFromPrejoin(bob.page, meetingCode(host.page), 'Bob');
  await expectVideoPlaying(host.page, 'Bob');
  const bobTile = tileOf(host.page, 'Bob');

  // Mute with the button, unmute with the keyboard shortcut.
  const mic = bob.page.getByTestId('toggle-mic');
  await expect(mic).toHaveAttribute('aria-pressed', 'true');
  await mic.click();
  await expect(mic).toHaveAttribute('aria-pressed', 'false');
  await expect(bobTile).toHaveAttribute('data-muted', 'true');
  await expect(bobTile.getByTestId('muted-badge')).toBeVisible();
  await bob.page.locator('body').press('m');
  await expect(mic).toHaveAttribute('aria-pressed', 'true');
  await expect(bobTile).toHaveAttribute('data-muted', 'false');
  await expect(bobTile.getByTestId('muted-badge')).toHaveCount(0);

  // Camera off: the others see the avatar instead of the video; on again: video again.
  await bob.page.getByTestId('toggle-camera').click();
  await expect(bobTile).toHaveAttribute('data-video', 'off');
  await expect(bobTile.getByTestId('tile-avatar')).toHaveText('B');
  await expect(remoteVideoOf(host.page, 'Bob')).toBeHidden();
  await bob.page.locator('body').press('v');
  await expect(bobTile).toHaveAttribute('data-video', 'on');
  await expectVideoPlaying(host.page, 'Bob');

  // Screen share: the host receives Bob's 800x450 screen as a tile of its own on the stage,
  // while Bob's camera tile keeps showing his camera.
  const cameraWidth = await videoWidth(host.page, 'Bob');
  expect(cameraWidth).not.toBe(800);
  await bob.page.getByTestId('toggle-screen').click();
  await expect(bob.page.getByTestId('toggle-screen')).toHaveAttribute('aria-pressed', 'true');
  await expect(bobTile).toHaveAttribute('data-screen', 'true');
  await expect(bobTile.getByTestId('screen-badge')).toBeVisible();
  const screen = host.page.locator(
    '[data-testid="tile-screen"][data-name="Bob"] [data-testid="screen-video"]',
  );
  const screenSize = () =>
    screen.evaluate((v: HTMLVideoElement) => `${v.videoWidth}x${v.videoHeight}`);
  await expect.poll(screenSize, { timeout: 15_000 }).toBe('800x450');
  await expect(host.page.getByTestId('stage')).toHaveAttribute('data-kind', 'screen');
  await expect(bob.page.getByTestId('you-are-presenting')).toBeVisible();
  expect(await videoWidth(host.page, 'Bob')).not.toBe(800);
  await expectVideoPlaying(host.page, 'Bob');
  await shot(host.page, 'call-screen-share');

  // Stopping it takes the screen off; the camera went on all along.
  await bob.page.getByTestId('toggle-screen').click();
  await expect(bobTile).toHaveAttribute('data-screen', 'false');
  await expect(host.page.locator('[data-testid="tile-screen"][data-name="Bob"]')).toHaveCount(0);
  await expectVideoPlaying(host.page, 'Bob');
  await expect
    .poll(() =>
      remoteVideoOf(host.page, 'Bob').evaluate(
        (v: HTMLVideoElement) => Math.abs(v.videoWidth / v.videoHeight - 16 / 9) < 0.02,
      ),
    )
    .toBe(true);
});

test('leaving removes the tile for the others; ending the meeting ends it for everyone', async ({
  browser,
  request,
}) => {
  const { host } = await hostInOpenRoom(browser, request);
  const code = meetingCode(host.page);
  const bob = await newPerson(browser, 'Bob');
  await joinFromPrejoin(bob.page, code, 'Bob');
  const cleo = await newPerson(browser, 'Cleo');
  await joinFromPrejoin(cleo.page, code, 'Cleo');
  await expect(host.page.getByTestId('tile')).toHaveCount(3);
  await expect(cleo.page.getByTestId('tile')).toHaveCount(3);

  await bob.page.getByTestId('leave-call').click();
  await expect(bob.page).toHaveURL(/\/ended\?reason=left/);
  await expect(bob.page.getByTestId('ended-message')).toHaveText('You left the meeting');
  await expect(tileOf(host.page, 'Bob')).toHaveCount(0);
  await expect(tileOf(cleo.page, 'Bob')).toHaveCount(0);
  await expect(host.page.getByTestId('tile')).toHaveCount(2);

  // The host makes Cleo a co-host from the participants panel; Cleo sees it.
  await host.page.getByTestId('toggle-participants').click();
  const cleoRow = host.page.locator('[data-testid="participant"][data-role]', { hasText: 'Cleo' });
  await cleoRow.getByTestId('promote').click();
  await expect(cleoRow).toHaveAttribute('data-role', 'cohost');
  await cleo.page.keyboard.press('p');
  await expect(
    cleo.page.locator('[data-testid="participant"]', { hasText: 'Cleo (you)' }),
  ).toHaveAttribute('data-role', 'cohost');

  // The host ends the meeting for all: Leave asks whether to leave or end for everyone.
  await host.page.getByTestId('leave-call').click();
  await expect(host.page.getByTestId('leave-dialog')).toBeVisible();
  await host.page.getByTestId('confirm-end').click();
  for (const p of [host, cleo]) {
    await expect(p.page).toHaveURL(/\/ended\?reason=ended/);
    await expect(p.page.getByTestId('ended-message')).toHaveText('The meeting has ended');
  }
});

test('a person whose signaling socket is cut comes back by itself with media flowing', async ({
  browser,
  request,
}) => {
  const { host } = await hostInOpenRoom(browser, request);
  const bob = await newPerson(browser, 'Bob');
  await joinFromPrejoin(bob.page, meetingCode(host.page), 'Bob');
  await expectVideoPlaying(host.page, 'Bob');
  await expectVideoPlaying(bob.page, 'Ada Host');

  const connectionId = () => bob.page.evaluate(() => window.__parleyCall?.connectionId());
  const before = await connectionId();
  expect(before).toBeTruthy();
  expect(await bob.page.evaluate(() => window.__parleyCall?.dropSocket())).toBe(true);

  // A new connection joins the room again on its own...
  await expect.poll(connectionId, { timeout: 20_000 }).not.toBe(before);
  await expect.poll(connectionId).toBeTruthy();
  await expect(bob.page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 20_000 });
  const after = await connectionId();
  await expect(tileOf(host.page, 'Bob')).toHaveAttribute('data-connection-id', after ?? '');
  await expect(host.page.getByTestId('tile')).toHaveCount(2);
  // ...with fresh peer connections carrying media both ways.
  await expectVideoPlaying(host.page, 'Bob');
  await expectVideoPlaying(bob.page, 'Ada Host');
  await expectBytesGrowing(bob.page);
  await expectBytesGrowing(host.page);

  // Reloading the call page (no pre-join this time) puts Bob straight back in.
  await bob.page.reload();
  await inCall(bob.page);
  await expect(host.page.getByTestId('tile')).toHaveCount(2);
  await expectVideoPlaying(host.page, 'Bob');
  await expectVideoPlaying(bob.page, 'Ada Host');

  // Removed by the host, Bob is told so and stays out.
  await host.page.getByTestId('toggle-participants').click();
  await host.page
    .locator('[data-testid="participant"]', { hasText: 'Bob' })
    .getByTestId('kick')
    .click();
  // Removing someone asks first.
  await expect(host.page.getByTestId('kick-dialog')).toContainText('Bob');
  await host.page.getByTestId('kick-confirm').click();
  await expect(bob.page).toHaveURL(/\/ended\?reason=kicked/);
  await expect(bob.page.getByTestId('ended-message')).toHaveText('You were removed');
  await expect(tileOf(host.page, 'Bob')).toHaveCount(0);
});

test('without camera permission a person joins with audio only and is told why', async ({
  browser,
  request,
}) => {
  const { host } = await hostInOpenRoom(browser, request);
  const nina = await newPerson(browser, 'Nina');
  // The fake media UI grants everything; refuse the camera the way a browser does.
  await nina.page.addInitScript(() => {
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) =>
      constraints?.video
        ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
        : original(constraints);
  });
  await joinFromPrejoin(nina.page, meetingCode(host.page), 'Nina');

  const problem = nina.page.getByTestId('media-problem');
  await expect(problem).toBeVisible();
  await expect(problem).toHaveAttribute('data-problem', 'camera-denied');
  await expect(problem).toContainText('audio only');
  await expect(selfTile(nina.page)).toHaveAttribute('data-video', 'off');
  await expect(nina.page.getByTestId('toggle-camera')).toHaveAttribute('aria-pressed', 'false');
  await expect(nina.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'true');
  await shot(nina.page, 'call-no-camera');

  // The others see her avatar, hear her, and she sees them.
  const ninaTile = tileOf(host.page, 'Nina');
  await expect(ninaTile).toHaveAttribute('data-video', 'off');
  await expect(ninaTile).toHaveAttribute('data-muted', 'false');
  await expect(ninaTile.getByTestId('tile-avatar')).toHaveText('N');
  await expectBytesGrowing(host.page, 'audio', 4_000);
  await expectVideoPlaying(nina.page, 'Ada Host');

  // Trying again while it is still refused keeps the message (and the call).
  await nina.page.getByTestId('media-retry').click();
  await expect(problem).toHaveAttribute('data-problem', 'camera-denied');
  await nina.page.getByTestId('media-problem-dismiss').click();
  await expect(problem).toHaveCount(0);
});

test('on a phone the call page is usable', async ({ browser, request }) => {
  const { host } = await hostInOpenRoom(browser, request);
  const bob = await newPerson(browser, 'Bob', { viewport: PHONE, phone: true });
  await joinFromPrejoin(bob.page, meetingCode(host.page), 'Bob');
  await expectVideoPlaying(bob.page, 'Ada Host');

  // Both tiles fit on the screen, one above the other.
  const tiles = bob.page.getByTestId('tile');
  await expect(tiles).toHaveCount(2);
  const [first, second] = [await tiles.nth(0).boundingBox(), await tiles.nth(1).boundingBox()];
  expect(first && second).toBeTruthy();
  expect(second!.y).toBeGreaterThanOrEqual(first!.y + first!.height - 1);
  for (const box of [first!, second!]) {
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
  }

  // Every control is on screen and answers a tap.
  for (const id of [
    'toggle-mic',
    'toggle-camera',
    'toggle-participants',
    'toggle-chat',
    'more-options',
    'leave-call',
  ]) {
    await expect(bob.page.getByTestId(id)).toBeInViewport({ ratio: 1 });
  }
  await expect(bob.page.getByTestId('call-timer')).toBeInViewport();
  await shot(bob.page, 'call-phone');

  await bob.page.getByTestId('toggle-mic').tap();
  await expect(tileOf(host.page, 'Bob')).toHaveAttribute('data-muted', 'true');
  await bob.page.getByTestId('toggle-camera').tap();
  await expect(tileOf(host.page, 'Bob')).toHaveAttribute('data-video', 'off');

  await bob.page.getByTestId('toggle-participants').tap();
  const panel = bob.page.getByTestId('participants-panel');
  await expect(panel).toBeInViewport();
  await expect(panel.getByTestId('participant')).toHaveCount(2);
  await shot(bob.page, 'call-phone-people');
  await panel.getByTestId('panel-close').tap();
  await expect(panel).toHaveCount(0);

  await bob.page.getByTestId('more-options').tap();
  await bob.page.getByTestId('more-invite').tap();
  await expect(bob.page.getByTestId('meeting-link')).toBeInViewport();
  await bob.page.keyboard.press('Escape');

  await bob.page.getByTestId('leave-call').tap();
  await expect(bob.page).toHaveURL(/\/ended\?reason=left/);
  await expect(tileOf(host.page, 'Bob')).toHaveCount(0);
});

/** The meeting code of the call a page is in. */
function meetingCode(page: Page): string {
  const match = /\/r\/([a-z-]+)\/call$/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not on a call page: ${page.url()}`);
  return match[1];
}
