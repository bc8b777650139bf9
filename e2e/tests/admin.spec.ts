import { randomBytes } from 'node:crypto';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import type { APIRequestContext, Browser } from '@playwright/test';
import { patchSettings, trackStates, watchMediaTracks } from '../support/admin.js';
import { ADMIN, account, book, login } from '../support/appointments.js';
import type { FullSession } from '../support/appointments.js';
import {
  closeAll,
  createRoomViaApi,
  joinFromPrejoin,
  person,
  shot,
  tileOf,
} from '../support/call.js';
import type { Person } from '../support/call.js';
import { signInContext } from '../support/phone.js';
import { startServer } from '../support/server.js';
import type { RunningServer } from '../support/server.js';

// The admin pages (issue 13): an admin sees real numbers, people, rooms, calls, appointments
// and the audit log, changes a setting that a visitor obeys at once, and disables a member in
// the middle of a call: that member's page says so within 2 s, their camera and microphone
// stop, and the others see them go. Anyone else gets the ordinary not-found page and 403s.

test.describe.configure({ timeout: 120_000 });

const unique = (first: string) => `${first} ${randomBytes(3).toString('hex')}`;
const bearer = (s: FullSession) => ({ authorization: `Bearer ${s.tokens.accessToken}` });

let server: RunningServer;
let api: APIRequestContext;
let admin: FullSession;
let people: Person[] = [];

test.beforeAll(async () => {
  // Its own server, with an admin from ADMIN_EMAIL.
  server = await startServer({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  admin = await login(api, ADMIN.email, ADMIN.password);
});
test.afterAll(async () => {
  await api?.dispose();
  await server?.stop();
});
test.afterEach(async () => {
  await closeAll(people);
  people = [];
});

/** Someone in their own browser context, signed in as `session` (or nobody), on `path`. */
async function open(browser: Browser, name: string, session: FullSession | null, path: string) {
  const p = await person(browser, name, { baseURL: server.baseURL });
  people.push(p);
  if (session) await signInContext(p.context, session);
  await p.page.goto(path);
  return p;
}

test('an admin opens every admin page, each with real data, and closes registration', async ({
  browser,
}) => {
  // Something to see: a member's room, a provider's appointment, a direct call.
  const ann = await account(api, unique('Ann'));
  const room = await createRoomViaApi(api, ann, { name: unique('Standup'), entry: 'open' });
  const provider = await account(api, unique('Dr Pat'), { provider: true, admin });
  await book(
    api,
    { provider, client: ann, admin },
    { startsInMs: 3 * 60 * 60_000, title: 'Admin check-in' },
  );
  const placed = await api.post('/api/calls', {
    headers: bearer(provider),
    data: { calleeId: ann.user.id, media: 'audio' },
  });
  expect(placed.status()).toBe(201);
  const callId = ((await placed.json()) as { call: { id: string } }).call.id;
  expect(
    (await api.post(`/api/calls/${callId}/cancel`, { headers: bearer(provider) })).status(),
  ).toBe(200);

  const boss = await open(browser, 'Admin', admin, '/rooms');
  const page = boss.page;
  await page.getByTestId('nav-admin').click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('metric-participants')).toHaveText(/^\s*\d+\s*$/);
  await expect(page.getByTestId('metric-usersOnline')).not.toHaveText(/^\s*0\s*$/);
  await expect(page.getByTestId('admin-chart')).toBeVisible();
  await shot(page, 'admin-overview');

  await page.getByTestId('admin-nav-users').click();
  await page.getByTestId('admin-user-search').fill(ann.user.displayName);
  await expect(page.getByTestId('admin-user')).toHaveCount(1);
  await expect(page.getByTestId('admin-user-name')).toHaveText(ann.user.displayName);
  await page.getByTestId('admin-user-search').fill('');
  await expect(page.getByTestId('admin-user').filter({ hasText: ADMIN.email })).toHaveCount(1);
  await shot(page, 'admin-users');

  await page.getByTestId('admin-nav-rooms').click();
  await page.getByTestId('admin-rooms-status-open').click();
  const row = page.getByTestId('admin-room').filter({ hasText: room.name });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(ann.user.displayName);

  await page.getByTestId('admin-nav-appointments').click();
  await expect(
    page.getByTestId('appointment-row').filter({ hasText: 'Admin check-in' }),
  ).toHaveCount(1);

  await page.getByTestId('admin-nav-calls').click();
  const call = page.locator(`[data-testid="admin-call"][data-id="${callId}"]`);
  await expect(call).toContainText(provider.user.displayName);
  await expect(call).toContainText(ann.user.displayName);
  await expect(call).toHaveAttribute('data-state', 'cancelled');

  await page.getByTestId('admin-nav-audit').click();
  await expect(page.getByTestId('audit-event').first()).toBeVisible();
  await page.getByTestId('audit-type').selectOption('user.role_changed');
  await page.getByTestId('audit-apply').click();
  await expect(page.getByTestId('audit-event').first()).toHaveAttribute(
    'data-type',
    'user.role_changed',
  );
  await expect(
    page.locator('[data-testid="audit-event"]:not([data-type="user.role_changed"])'),
  ).toHaveCount(0);

  // Registration closed from the settings page: a new visitor's register page says so.
  await page.getByTestId('admin-nav-settings').click();
  await page.getByTestId('setting-registration').selectOption('closed');
  await page.getByTestId('settings-access-save').click();
  await expect(page.getByTestId('settings-access-saved')).toBeVisible();
  await shot(page, 'admin-settings');
  try {
    const visitor = await open(browser, 'Visitor', null, '/register');
    await expect(visitor.page.getByTestId('register-closed')).toBeVisible();
    await expect(visitor.page.getByTestId('register-submit')).toHaveCount(0);
  } finally {
    await patchSettings(api, admin, { registration: 'open' });
  }
});

test('a member disabled by an admin mid-call sees "your account was disabled" within 2 s and leaves the call', async ({
  browser,
}) => {
  const annName = unique('Ann');
  const bobName = unique('Bob');
  const ann = await account(api, annName);
  const bob = await account(api, bobName);
  const room = await createRoomViaApi(api, bob, { name: unique('Call'), entry: 'open' });

  const bobP = await open(browser, bobName, bob, '/rooms');
  const annP = await person(browser, annName, { baseURL: server.baseURL });
  people.push(annP);
  await watchMediaTracks(annP.page);
  await signInContext(annP.context, ann);
  await joinFromPrejoin(bobP.page, room.code);
  await joinFromPrejoin(annP.page, room.code);
  await expect(tileOf(bobP.page, annName)).toBeVisible({ timeout: 15_000 });
  await expect(tileOf(annP.page, bobName)).toBeVisible({ timeout: 15_000 });
  expect(await trackStates(annP.page)).toContain('live');

  const boss = await open(browser, 'Admin', admin, '/admin/users');
  await boss.page.getByTestId('admin-user-search').fill(annName);
  const row = boss.page.locator(`[data-testid="admin-user"][data-id="${ann.user.id}"]`);
  await expect(row).toHaveAttribute('data-online', 'true');
  await row.getByTestId('admin-user-disable').click();
  await expect(boss.page.getByTestId('user-change-dialog')).toContainText(annName);
  const [patched] = await Promise.all([
    boss.page.waitForResponse(
      (r) =>
        r.url().endsWith(`/api/admin/users/${ann.user.id}`) && r.request().method() === 'PATCH',
    ),
    boss.page.getByTestId('user-change-submit').click(),
  ]);
  expect(patched.status()).toBe(200);

  // Within 2 s of the admin's answer: the disabled member's page says what happened.
  await expect(annP.page.getByTestId('account-disabled')).toBeVisible({ timeout: 2_000 });
  await expect(annP.page).toHaveURL(/\/account-disabled$/);
  await expect(row).toHaveAttribute('data-disabled', 'true');
  // Their camera and microphone are released, and they are signed out on this device.
  await expect.poll(() => trackStates(annP.page), { timeout: 5_000 }).not.toContain('live');
  expect(await trackStates(annP.page)).not.toHaveLength(0);
  expect(await annP.page.evaluate(() => localStorage.getItem('parley.session'))).toBeNull();
  // The other participant sees them leave, and stays in the call.
  await expect(tileOf(bobP.page, annName)).toHaveCount(0, { timeout: 5_000 });
  await expect(bobP.page).toHaveURL(/\/call$/);
  await shot(annP.page, 'account-disabled');

  // Their tokens are refused from now on.
  const me = await api.get('/api/auth/me', { headers: bearer(ann) });
  expect(me.status()).toBe(403);
});

test('a non-admin visiting /admin sees the not-found page, and the admin API answers 403', async ({
  browser,
}) => {
  const carl = await account(api, unique('Carl'));
  const p = await open(browser, 'Carl', carl, '/admin');
  await expect(p.page.getByTestId('not-found')).toBeVisible();
  await expect(p.page).toHaveURL(/\/admin$/);
  await expect(p.page.getByTestId('nav-admin')).toHaveCount(0);
  await p.page.goto('/admin/settings');
  await expect(p.page.getByTestId('not-found')).toBeVisible();

  // Nor is a visitor who is not signed in asked to log in: the same not-found page.
  const visitor = await open(browser, 'Visitor', null, '/admin/users');
  await expect(visitor.page.getByTestId('not-found')).toBeVisible();
  await expect(visitor.page).toHaveURL(/\/admin\/users$/);

  for (const path of [
    '/api/admin/users',
    '/api/admin/rooms',
    '/api/admin/settings',
    '/api/admin/audit',
  ]) {
    const res = await api.get(path, { headers: bearer(carl) });
    expect(res.status(), path).toBe(403);
  }
  expect((await api.get('/api/admin/users')).status()).toBe(401);
});

test('with registration closed, an admin creates an account and that person signs in with it', async ({
  browser,
}) => {
  await patchSettings(api, admin, { registration: 'closed' });
  try {
    const name = unique('Zoe');
    const email = `zoe-${randomBytes(4).toString('hex')}@parley.test`;
    const password = 'given by the admin 7';

    const boss = await open(browser, 'Admin', admin, '/admin/users');
    await boss.page.getByTestId('admin-user-new').click();
    const dialog = boss.page.getByTestId('new-account-dialog');
    await expect(dialog).toBeVisible();
    // The server's answer comes back under its field: this address is taken.
    await dialog.getByTestId('new-account-email').fill(ADMIN.email);
    await dialog.getByTestId('new-account-name').fill(name);
    await dialog.getByTestId('new-account-password').fill(password);
    await dialog.getByTestId('new-account-submit').click();
    await expect(dialog.getByTestId('new-account-email-error')).toBeVisible();

    await dialog.getByTestId('new-account-email').fill(email);
    await dialog.getByTestId('new-account-role').selectOption('provider');
    await dialog.getByTestId('new-account-submit').click();
    await expect(dialog).toHaveCount(0);
    await expect(boss.page.getByTestId('admin-user-created')).toContainText(name);
    const row = boss.page.getByTestId('admin-user').filter({ hasText: email });
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('admin-user-role')).toHaveValue('provider');
    await shot(boss.page, 'admin-new-account');

    // The person signs in with what the admin gave them.
    const zoe = await open(browser, name, null, '/login');
    await zoe.page.getByTestId('login-email').fill(email);
    await zoe.page.getByTestId('login-password').fill(password);
    await zoe.page.getByTestId('login-submit').click();
    await expect(zoe.page).toHaveURL(/\/rooms$/);
    const session = await zoe.page.evaluate(() => localStorage.getItem('parley.session'));
    expect(JSON.parse(session ?? '{}')).toMatchObject({ user: { email, role: 'provider' } });

    // The audit log names the admin who made it.
    const made = JSON.parse(session!) as { user: { id: string } };
    const audit = await api.get(`/api/admin/audit?type=user.created&targetId=${made.user.id}`, {
      headers: bearer(admin),
    });
    expect(audit.status()).toBe(200);
    expect(((await audit.json()) as { items: { actorId: string }[] }).items).toMatchObject([
      { actorId: admin.user.id },
    ]);
  } finally {
    await patchSettings(api, admin, { registration: 'open' });
  }
});
