import { randomBytes } from 'node:crypto';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import {
  account,
  ADMIN,
  book,
  inAppointmentCall,
  login,
  parseTimeLeft,
} from '../support/appointments.js';
import type { FullSession } from '../support/appointments.js';
import { closeAll, expectBytesGrowing, expectVideoPlaying, person, shot } from '../support/call.js';
import type { Person } from '../support/call.js';
import { signInContext } from '../support/phone.js';
import { startServer } from '../support/server.js';
import type { RunningServer } from '../support/server.js';

// Scheduled appointments (issue 12): a provider and a client meet at a booked time. The server
// decides when the Join button works; the page shows why not and counts down to the opening.

test.describe.configure({ timeout: 120_000 });

const MIN = 60_000;
const unique = (first: string) => `${first} ${randomBytes(4).toString('hex')}`;

let server: RunningServer;
let api: APIRequestContext;
let admin: FullSession;
let people: Person[] = [];

test.beforeAll(async () => {
  // Its own server: it needs an admin (ADMIN_EMAIL) to promote providers and settle payments.
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

/** A provider and a client, each with a fresh account. */
async function pair() {
  const providerName = unique('Dr Ada');
  const clientName = unique('Carl');
  const provider = await account(api, providerName, { provider: true, admin });
  const client = await account(api, clientName);
  return { provider, client, providerName, clientName };
}

/** Someone signed in within their own browser context (own fake camera), on `path`. */
async function open(browser: Browser, session: FullSession, path: string): Promise<Person> {
  const p = await person(browser, session.user.displayName, { baseURL: server.baseURL });
  people.push(p);
  await signInContext(p.context, session);
  await p.page.goto(path);
  return p;
}

test('provider and client join inside the window and see each other', async ({ browser }) => {
  const { provider, client, providerName, clientName } = await pair();
  // In two minutes: inside the 15 minutes before the start when joining is open.
  const appt = await book(
    api,
    { provider, client, admin },
    { startsInMs: 2 * MIN, title: 'First session' },
  );

  const doc = await open(browser, provider, `/appointments/${appt.id}`);
  const pat = await open(browser, client, `/appointments/${appt.id}`);
  for (const p of [doc, pat]) {
    await expect(p.page.getByTestId('appointment-title')).toHaveText('First session');
    await expect(p.page.getByTestId('appointment')).toHaveAttribute('data-status', 'confirmed');
    await expect(p.page.getByTestId('join-appointment')).toBeEnabled();
    await expect(p.page.getByTestId('join-reason')).toHaveCount(0);
  }
  // The provider's private notes: theirs only.
  await expect(doc.page.getByTestId('appointment-notes')).toContainText('only the provider');
  await expect(pat.page.getByTestId('appointment-notes')).toHaveCount(0);
  await shot(pat.page, 'appointment-joinable');

  await doc.page.getByTestId('join-appointment').click();
  await pat.page.getByTestId('join-appointment').click();
  await inAppointmentCall(doc.page, appt.id);
  await inAppointmentCall(pat.page, appt.id);
  await expectVideoPlaying(doc.page, clientName);
  await expectVideoPlaying(pat.page, providerName);
  for (const p of [doc, pat]) await expectBytesGrowing(p.page, 'video');

  // The call page names the session and counts down to the booked end (endsAt, on the
  // server's clock; server, browsers and this runner share one machine's clock here). The
  // shown time is compared with the time left measured just before and just after reading
  // it: never more than before-reading plus the page's 1 s tick and its rounding up to the
  // second, at most 2 minutes under after-reading (the page's clock tolerance). No
  // end-of-slot warning yet.
  for (const p of [doc, pat]) {
    await expect(p.page.getByTestId('slot-title')).toHaveText('First session');
    const left = p.page.getByTestId('slot-time-left');
    await expect(left).toHaveText(/ left$/);
    const end = Date.parse(appt.endsAt);
    const before = Date.now();
    const shown = parseTimeLeft((await left.textContent()) ?? '');
    const after = Date.now();
    expect(shown, 'a time left').not.toBeNull();
    expect(shown ?? 0).toBeLessThanOrEqual(end - before + 2_000);
    expect(shown ?? 0).toBeGreaterThanOrEqual(end - after - 2 * MIN);
    await expect(p.page.getByTestId('slot-warning')).toHaveCount(0);
  }
  await shot(pat.page, 'appointment-call');

  // Both in the room together: the server marks the appointment as in progress.
  await expect
    .poll(
      async () => {
        const res = await api.get(`/api/appointments/${appt.id}`, {
          headers: { authorization: `Bearer ${client.tokens.accessToken}` },
        });
        return ((await res.json()) as { appointment: { status: string } }).appointment.status;
      },
      { timeout: 10_000 },
    )
    .toBe('in_progress');
});

test('outside the window the Join button is disabled with the reason and a countdown', async ({
  browser,
}) => {
  const { provider, client } = await pair();
  const later = await book(
    api,
    { provider, client, admin },
    { startsInMs: 2 * 24 * 60 * MIN, title: 'In two days' },
  );
  // Inside the window but nobody paid: blocked for another reason, without a countdown.
  const unpaid = await book(
    api,
    { provider, client, admin },
    { startsInMs: 3 * MIN, title: 'Unpaid', pay: false },
  );

  const pat = await open(browser, client, `/appointments/${later.id}`);
  const join = pat.page.getByTestId('join-appointment');
  await expect(pat.page.getByTestId('appointment-title')).toHaveText('In two days');
  await expect(pat.page.getByTestId('join-gate')).toHaveAttribute('data-state', 'waiting');
  await expect(join).toBeDisabled();
  await expect(pat.page.getByTestId('join-reason')).toHaveText(
    'Joining opens shortly before the start.',
  );
  // Two days less the 15 minutes of the opening: "Opens in 1 d 23 h 44 min 59 s" or so. The
  // count is checked against the opening (startsAt − 15 min) like the call's slot above.
  const countdown = pat.page.getByTestId('join-countdown');
  await expect(countdown).toHaveText(/^Opens in 1 d 23 h \d{1,2} min \d\d s$/);
  const opensAt = Date.parse(later.startsAt) - 15 * MIN;
  const before = Date.now();
  const msLeft = Number(await countdown.getAttribute('data-ms-left'));
  const after = Date.now();
  expect(msLeft).toBeLessThanOrEqual(opensAt - before + 2_000);
  expect(msLeft).toBeGreaterThanOrEqual(opensAt - after - 2 * MIN);
  const first = await countdown.textContent();
  await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);
  await shot(pat.page, 'appointment-too-early');

  await pat.page.goto(`/appointments/${unpaid.id}`);
  await expect(pat.page.getByTestId('appointment-title')).toHaveText('Unpaid');
  await expect(pat.page.getByTestId('join-gate')).toHaveAttribute('data-reason', 'NOT_PAID');
  await expect(join).toBeDisabled();
  await expect(pat.page.getByTestId('join-reason')).toHaveText(
    'Joining opens once the payment is settled.',
  );
  await expect(pat.page.getByTestId('join-countdown')).toHaveCount(0);

  // The client's list: both sessions, soonest first, each with its own answer.
  await pat.page.getByTestId('nav-appointments').click();
  await expect(pat.page).toHaveURL(/\/appointments$/);
  const rows = pat.page.getByTestId('appointment-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).getByTestId('appointment-link')).toHaveText('Unpaid');
  await expect(rows.nth(0).getByTestId('join-gate')).toHaveAttribute('data-reason', 'NOT_PAID');
  await expect(rows.nth(1).getByTestId('join-gate')).toHaveAttribute('data-state', 'waiting');
  await shot(pat.page, 'appointments-client');

  // The admin settles the payment: the client's page hears it live and the button opens.
  const paid = await api.put(`/api/appointments/${unpaid.id}/payment`, {
    headers: { authorization: `Bearer ${admin.tokens.accessToken}` },
    data: { paymentStatus: 'paid' },
  });
  expect(paid.status()).toBe(200);
  await expect(rows.nth(0).getByTestId('join-appointment')).toBeEnabled({ timeout: 10_000 });
});

test('a provider books from the schedule on their own clock; the client sees it live on theirs', async ({
  browser,
}) => {
  const { provider, client, clientName } = await pair();
  // The provider in New York, the client in Berlin: each sees the time on their own clock.
  const contexts = await Promise.all(
    [
      [provider, 'America/New_York'],
      [client, 'Europe/Berlin'],
    ].map(async ([session, timezoneId]) => {
      const s = session as FullSession;
      const context = await browser.newContext({
        baseURL: server.baseURL,
        timezoneId: timezoneId as string,
      });
      const page = await context.newPage();
      people.push({ name: s.user.displayName, context, page });
      await signInContext(context, s);
      await page.goto('/appointments');
      return page;
    }),
  );
  const [doc, pat] = contexts as [Page, Page];
  await expect(pat.getByTestId('appointments-empty')).toBeVisible();
  await expect(doc.getByTestId('appointments-zone')).toContainText('America/New_York');

  // Three days ahead at 10:00 on the provider's wall clock.
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(
    Date.now() + 3 * 24 * 60 * MIN,
  );
  await doc.getByTestId('new-appointment').click();
  const dialog = doc.getByTestId('new-appointment-dialog');
  await expect(dialog.getByTestId('appointment-zone')).toContainText('America/New_York');
  await dialog.getByTestId('appointment-client-search').fill(clientName);
  await dialog.locator(`[data-testid="client-result"][data-name="${clientName}"]`).click();
  await expect(dialog.getByTestId('appointment-client')).toContainText(clientName);
  await dialog.getByTestId('appointment-when').fill(`${day}T10:00`);
  await dialog.getByTestId('appointment-duration').fill('45');
  await dialog.getByTestId('appointment-title').fill('Intake');
  await shot(doc, 'appointment-new');
  await dialog.getByTestId('new-appointment-submit').click();
  await expect(dialog).toHaveCount(0);

  const row = doc.getByTestId('appointment-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'scheduled');
  const startsAt = await row.getByTestId('appointment-time').getAttribute('datetime');
  expect(startsAt).not.toBeNull();
  const clock = (zone: string) =>
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit' })
      .format(Date.parse(startsAt ?? ''))
      .replace(/\s/g, ' ');
  expect(clock('America/New_York')).toBe('10:00 AM');
  const text = async (page: Page) =>
    ((await page.getByTestId('appointment-time').first().textContent()) ?? '').replace(/\s/g, ' ');
  expect(await text(doc)).toContain('10:00 AM');

  // The client's list takes it in over the socket, on Berlin's clock.
  const theirs = pat.getByTestId('appointment-row');
  await expect(theirs).toHaveCount(1, { timeout: 10_000 });
  await expect(theirs.getByTestId('appointment-time')).toHaveAttribute('datetime', startsAt ?? '');
  expect(await text(pat)).toContain(clock('Europe/Berlin'));
  await expect(theirs.getByTestId('join-gate')).toHaveAttribute('data-reason', 'NOT_CONFIRMED');

  // The provider confirms; the client's row follows live.
  await row.getByTestId('appointment-confirm').click();
  await expect(row).toHaveAttribute('data-status', 'confirmed');
  await expect(theirs).toHaveAttribute('data-status', 'confirmed', { timeout: 10_000 });
  await expect(theirs.getByTestId('join-gate')).toHaveAttribute('data-reason', 'NOT_PAID');
  await shot(doc, 'appointments-provider');
});
