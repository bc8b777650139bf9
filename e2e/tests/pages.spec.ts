import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { APIRequestContext, Page } from '@playwright/test';
import { SCREENSHOTS_DIR } from '../support/paths.js';

// The app pages around a call: sign-up, the dashboard, invites, pre-join and the lobby, and
// the end screens. Each test writes screenshots at a laptop and a phone size.

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function snap(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'pages', `${name}-desktop.png`) });
  await page.setViewportSize(PHONE);
  await page.screenshot({
    path: path.join(SCREENSHOTS_DIR, 'pages', `${name}-phone.png`),
    fullPage: true,
  });
  await page.setViewportSize(DESKTOP);
}

type Session = { user: { id: string }; tokens: { accessToken: string } };

async function registerViaApi(request: APIRequestContext, name: string): Promise<Session> {
  const res = await request.post('/api/auth/register', {
    data: {
      email: `${randomUUID()}@parley.test`,
      password: 'correct horse 42',
      displayName: name,
    },
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as Session;
}

async function createRoomViaApi(
  request: APIRequestContext,
  host: Session,
  body: Record<string, unknown>,
) {
  const res = await request.post('/api/rooms', {
    headers: { authorization: `Bearer ${host.tokens.accessToken}` },
    data: body,
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as {
    room: { id: string; code: string; name: string };
    password?: string;
  };
}

/** The signed-in user of a page, from the session the app keeps in localStorage. */
async function userIdOf(page: Page): Promise<string> {
  const raw = await page.evaluate(() => localStorage.getItem('parley.session'));
  return (JSON.parse(raw ?? 'null') as Session).user.id;
}

test('a visitor registers, creates a password room and copies an invite link', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Parley' })).toBeVisible();
  await expect(page.getByTestId('health-status')).toHaveText('Server: ok');

  // Not signed in: "New meeting" asks for an account first.
  await page.getByTestId('landing-new-meeting').click();
  await expect(page).toHaveURL(/\/login\?redirect=/);
  await snap(page, 'login');
  await page.getByTestId('login-to-register').click();
  await expect(page).toHaveURL(/\/register/);

  // Field errors appear under the fields, not as one message.
  await page.getByTestId('register-email').fill('not-an-email');
  await page.getByTestId('register-password').fill('short');
  await page.getByTestId('register-submit').click();
  await expect(page.getByTestId('register-name-error')).toBeVisible();
  await expect(page.getByTestId('register-email-error')).toBeVisible();
  await expect(page.getByTestId('register-password-error')).toBeVisible();
  await snap(page, 'register-errors');

  await page.getByTestId('register-name').fill('Ada Host');
  await page.getByTestId('register-email').fill(`${randomUUID()}@parley.test`);
  await page.getByTestId('register-password').fill('correct horse 42');
  await page.getByTestId('register-submit').click();
  await expect(page).toHaveURL(/\/rooms$/);
  await expect(page.getByTestId('rooms-empty')).toBeVisible();
  await snap(page, 'dashboard-empty');

  await page.getByTestId('create-room-name').fill('Design review');
  await page.getByTestId('create-room-entry').selectOption('password');
  await page.getByTestId('create-room-submit').click();

  const code = page.getByTestId('room-code');
  await expect(code).toHaveText(/^[a-z]{3}-[a-z]{4}-[a-z]{4}$/);
  await expect(page.getByTestId('room-password')).toHaveText(/\S{6,}/);
  await page.getByTestId('copy-invite').click();
  await expect(page.getByTestId('invite-url')).toContainText(/\/i\/[A-Za-z2-9]{5}-[A-Za-z2-9]{5}$/);
  await expect(page.getByTestId('copy-invite')).toHaveText('Copied');
  // The new room is listed with its code.
  await expect(
    page.getByTestId('room-item').filter({ hasText: (await code.textContent()) ?? '' }),
  ).toBeVisible();
  await snap(page, 'dashboard-created');
});

test('a guest knocks on an approval room, waits in the lobby and is let in', async ({
  page,
  request,
}) => {
  const host = await registerViaApi(request, 'Grace Host');
  const { room } = await createRoomViaApi(request, host, {
    name: 'Weekly sync',
    visibility: 'private',
    entry: 'approval',
  });

  // A code typed in capitals without dashes still finds the room.
  await page.goto('/');
  await page.getByTestId('join-code-input').fill(room.code.replaceAll('-', '').toUpperCase());
  await page.getByTestId('join-code-submit').click();
  await expect(page).toHaveURL(new RegExp(`/r/${room.code}$`));

  await page.getByTestId('guest-name').fill('Visitor');
  await page.getByTestId('guest-continue').click();
  await expect(page.getByTestId('prejoin-room-name')).toHaveText('Weekly sync');

  // The fake camera plays in the preview.
  const video = page.getByTestId('prejoin-video');
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 10_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('prejoin-join')).toHaveText('Ask to join');
  await snap(page, 'prejoin');

  await page.getByTestId('prejoin-join').click();
  await expect(page.getByTestId('lobby-waiting')).toBeVisible();
  await snap(page, 'lobby-waiting');

  const guestId = await userIdOf(page);
  const admit = await request.post(`/api/rooms/${room.id}/participants/${guestId}/admit`, {
    headers: { authorization: `Bearer ${host.tokens.accessToken}` },
  });
  expect(admit.status()).toBe(200);
  await expect(page).toHaveURL(new RegExp(`/r/${room.code}/call$`));

  // Leaving the pre-join page for the call must not withdraw the admission.
  const guestToken = await page.evaluate(
    () =>
      (JSON.parse(localStorage.getItem('parley.session') ?? 'null') as Session).tokens.accessToken,
  );
  const after = await request.get(`/api/rooms/${room.id}`, {
    headers: { authorization: `Bearer ${guestToken}` },
  });
  expect(((await after.json()) as { room: { myStatus: string } }).room.myStatus).toBe('approved');
});

test('a guest whose request is denied is told so', async ({ page, request }) => {
  const host = await registerViaApi(request, 'Grace Host');
  const { room } = await createRoomViaApi(request, host, {
    name: 'Board meeting',
    visibility: 'private',
    entry: 'approval',
  });
  await page.goto(`/r/${room.code}`);
  await page.getByTestId('guest-name').fill('Uninvited');
  await page.getByTestId('guest-continue').click();
  await page.getByTestId('prejoin-join').click();
  await expect(page.getByTestId('lobby-waiting')).toBeVisible();

  const guestId = await userIdOf(page);
  await request.post(`/api/rooms/${room.id}/participants/${guestId}/deny`, {
    headers: { authorization: `Bearer ${host.tokens.accessToken}` },
  });
  await expect(page.getByTestId('prejoin-blocked')).toHaveAttribute('data-reason', 'denied');
  await expect(page.getByTestId('prejoin-blocked-title')).toHaveText('The host did not let you in');
});

test('cancelling the wait withdraws the request; the host ending the meeting ends the wait', async ({
  page,
  request,
}) => {
  const host = await registerViaApi(request, 'Grace Host');
  const auth = { authorization: `Bearer ${host.tokens.accessToken}` };
  const { room } = await createRoomViaApi(request, host, {
    name: 'Standup',
    visibility: 'private',
    entry: 'approval',
  });
  await page.goto(`/r/${room.code}`);
  await page.getByTestId('guest-name').fill('Knocker');
  await page.getByTestId('guest-continue').click();
  await page.getByTestId('prejoin-join').click();
  await expect(page.getByTestId('lobby-waiting')).toBeVisible();

  await page.getByTestId('lobby-cancel').click();
  await expect(page.getByTestId('lobby-waiting')).toHaveCount(0);
  await expect(page.getByTestId('prejoin-join')).toBeVisible();
  const guestId = await userIdOf(page);
  // Nobody left to admit: the request was withdrawn.
  const admit = await request.post(`/api/rooms/${room.id}/participants/${guestId}/admit`, {
    headers: auth,
  });
  expect(admit.status()).not.toBe(200);

  await page.getByTestId('prejoin-join').click();
  await expect(page.getByTestId('lobby-waiting')).toBeVisible();
  expect((await request.delete(`/api/rooms/${room.id}`, { headers: auth })).status()).toBe(204);
  await expect(page.getByTestId('prejoin-blocked')).toHaveAttribute('data-reason', 'ended');
});

test('an invite link that skips the lobby lets a guest in with just a name', async ({
  page,
  request,
}) => {
  const host = await registerViaApi(request, 'Ada Host');
  const { room } = await createRoomViaApi(request, host, {
    name: 'Project kickoff',
    visibility: 'private',
    entry: 'approval',
  });
  const inviteRes = await request.post(`/api/rooms/${room.id}/invites`, {
    headers: { authorization: `Bearer ${host.tokens.accessToken}` },
    data: { expiresInMinutes: 60, skipLobby: true },
  });
  expect(inviteRes.status()).toBe(201);
  const { invite } = (await inviteRes.json()) as { invite: { url: string } };
  expect(invite.url).toMatch(/\/i\/[A-Za-z2-9]{5}-[A-Za-z2-9]{5}$/);

  // Pasting the whole link into the join box works too.
  await page.goto('/');
  await page.getByTestId('join-code-input').fill(invite.url);
  await page.getByTestId('join-code-submit').click();
  await expect(page.getByTestId('invite-room')).toHaveText('You are invited to Project kickoff');
  await expect(page.getByTestId('invite-host')).toHaveText('by Ada Host');
  await snap(page, 'invite');

  await page.getByTestId('invite-join').click();
  await expect(page.getByTestId('guest-name-error')).toBeVisible();
  await page.getByTestId('guest-name').fill('Invited guest');
  await page.getByTestId('invite-join').click();
  await expect(page).toHaveURL(new RegExp(`/r/${room.code}$`));
  // The invite was made to skip the lobby: no knock, even in an approval room.
  await expect(page.getByTestId('prejoin-join')).toHaveText('Join now');
  await page.getByTestId('prejoin-join').click();
  await expect(page).toHaveURL(new RegExp(`/r/${room.code}/call$`));
});

test('a broken invite link and an unknown page say so clearly', async ({ page }) => {
  await page.goto('/invite/not-a-real-token');
  await expect(page.getByTestId('invite-invalid')).toHaveText('This invite link is not valid');
  await snap(page, 'invite-invalid');

  await page.goto('/no/such/page');
  await expect(page.getByTestId('not-found')).toBeVisible();
  await snap(page, 'not-found');
});

test('a wrong room password is explained under the field', async ({ page, request }) => {
  const host = await registerViaApi(request, 'Ada Host');
  const { room, password } = await createRoomViaApi(request, host, {
    name: 'Private chat',
    visibility: 'private',
    entry: 'password',
  });
  await page.goto(`/r/${room.code}`);
  await page.getByTestId('guest-name').fill('Bob');
  await page.getByTestId('guest-continue').click();
  await page.getByTestId('prejoin-password').fill('wrong-password');
  await page.getByTestId('prejoin-join').click();
  await expect(page.getByTestId('prejoin-password-error')).toHaveText(
    'The room password is incorrect.',
  );
  await page.getByTestId('prejoin-password').fill(password ?? '');
  await page.getByTestId('prejoin-join').click();
  await expect(page).toHaveURL(new RegExp(`/r/${room.code}/call$`));
});

test('without camera permission the pre-join page explains and still lets you join', async ({
  page,
  request,
}) => {
  // The fake media UI always grants; refuse the camera from the page instead.
  await page.addInitScript(() => {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) =>
      constraints?.video
        ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
        : original(constraints);
  });
  const host = await registerViaApi(request, 'Ada Host');
  const { room } = await createRoomViaApi(request, host, {
    name: 'Audio only',
    visibility: 'private',
    entry: 'open',
  });
  await page.goto(`/r/${room.code}`);
  await page.getByTestId('guest-name').fill('No Camera');
  await page.getByTestId('guest-continue').click();
  await expect(page.getByTestId('media-problem')).toBeVisible();
  await expect(page.getByTestId('media-problem-camera')).toHaveAttribute('data-problem', 'denied');
  await expect(page.getByTestId('media-problem-mic')).toHaveCount(0);
  await snap(page, 'prejoin-no-camera');
  await page.getByTestId('prejoin-join').click();
  await expect(page).toHaveURL(new RegExp(`/r/${room.code}/call$`));
});

test('the end screens and the Russian translation', async ({ page }) => {
  await page.goto('/ended?reason=ended');
  await expect(page.getByTestId('ended-message')).toHaveText('The meeting has ended');
  await snap(page, 'ended');
  await page.goto('/ended?reason=left&code=abc-defg-hjkm');
  await expect(page.getByTestId('ended-message')).toHaveText('You left the meeting');
  await expect(page.getByTestId('ended-rejoin')).toHaveAttribute('href', '/r/abc-defg-hjkm');

  await page.getByTestId('language-switcher').selectOption('ru');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(page.getByTestId('ended-message')).toHaveText('Вы вышли из встречи');
  // The choice is remembered.
  await page.goto('/');
  await expect(page.getByTestId('landing-new-meeting')).toHaveText('Новая встреча');
  await snap(page, 'landing-ru');
});
