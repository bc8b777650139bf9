import { randomBytes } from 'node:crypto';
import { expect, request as playwrightRequest, test } from '@playwright/test';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import {
  closeAll,
  expectBytesGrowing,
  expectVideoPlaying,
  person,
  registerViaApi,
  shot,
} from '../support/call.js';
import type { Person, Session } from '../support/call.js';
import {
  addContactViaApi,
  inDirectCall,
  incomingCard,
  newestCall,
  signInContext,
  waitForCallTime,
} from '../support/phone.js';
import { startServer } from '../support/server.js';
import type { RunningServer } from '../support/server.js';

// Parley as a phone (issue 11): direct calls between two members, each in their own browser
// context of Debian's Chromium with a fake camera and microphone, through the real server.

test.describe.configure({ timeout: 120_000 });

let people: Person[] = [];
test.afterEach(async () => {
  await closeAll(people);
  people = [];
});

/** A name no other test of this run uses, so searches find exactly this person. */
const unique = (first: string) => `${first} ${randomBytes(4).toString('hex')}`;

/** A registered member in a fresh context, signed in on every tab, on `path`. */
async function member(
  browser: Browser,
  request: APIRequestContext,
  name: string,
  path: string,
  baseURL?: string,
): Promise<{ p: Person; session: Session }> {
  const session = await registerViaApi(request, name);
  const p = await person(browser, name, baseURL ? { baseURL } : {});
  people.push(p);
  await signInContext(p.context, session);
  await p.page.goto(path);
  return { p, session };
}

async function openCalls(page: Page): Promise<void> {
  await page.getByTestId('nav-calls').click();
  await expect(page).toHaveURL(/\/calls$/);
}

test('A calls B, both of B’s tabs ring, B answers in one, they see and hear each other, A hangs up', async ({
  browser,
  request,
}) => {
  const adaName = unique('Ada');
  const bobName = unique('Bob');
  const { p: ada } = await member(browser, request, adaName, '/contacts');
  const { p: bob } = await member(browser, request, bobName, '/rooms');
  // Bob's second tab, on another page.
  const bobTab2 = await bob.context.newPage();
  await bobTab2.goto('/contacts');

  // Ada finds Bob, adds him and video-calls him from her contacts.
  // Search finds names by their beginning.
  await ada.page.getByTestId('contact-search').fill(bobName);
  const result = ada.page.locator(`[data-testid="search-result"][data-name="${bobName}"]`);
  await result.getByTestId('search-add').click();
  await expect(result.getByTestId('search-is-contact')).toBeVisible();
  const contact = ada.page.locator(`[data-testid="contact"][data-name="${bobName}"]`);
  await expect(contact).toHaveAttribute('data-presence', 'online');
  await contact.getByTestId('contact-call-video').click();
  await expect(ada.page).toHaveURL(/\/calls\/[0-9a-f-]{36}\/outgoing$/);
  await expect(ada.page.getByTestId('outgoing-call')).toHaveAttribute('data-state', 'calling');
  await shot(ada.page, 'direct-call-outgoing');

  // Both of Bob's tabs ring; the card has the focus on Accept.
  for (const tab of [bob.page, bobTab2]) {
    await expect(incomingCard(tab)).toHaveAttribute('data-state', 'ringing');
    await expect(incomingCard(tab).getByTestId('incoming-name')).toHaveText(adaName);
  }
  await expect(bob.page.getByTestId('incoming-accept')).toBeFocused();
  await shot(bob.page, 'direct-call-incoming');

  // Bob answers with video in his first tab; the other stops ringing and says why.
  await bob.page.getByTestId('incoming-accept').click();
  await expect(incomingCard(bobTab2)).toHaveAttribute('data-state', 'gone');
  await expect(bobTab2.getByTestId('incoming-note')).toHaveText('Answered on another device');
  await expect(incomingCard(bobTab2)).toHaveCount(0, { timeout: 10_000 });

  await inDirectCall(bob.page);
  await inDirectCall(ada.page);
  await expect(incomingCard(bob.page)).toHaveCount(0);
  await expectVideoPlaying(ada.page, bobName);
  await expectVideoPlaying(bob.page, adaName);
  for (const page of [ada.page, bob.page]) {
    await expectBytesGrowing(page, 'audio', 5_000);
    await expectBytesGrowing(page, 'video');
  }
  await expect(ada.page.getByTestId('call-room-name')).toHaveText(bobName);
  await waitForCallTime(ada.page, 3);
  await shot(ada.page, 'direct-call-video');

  // Ada hangs up: the call ends for both, with the server's duration.
  await ada.page.getByTestId('leave-call').click();
  for (const page of [ada.page, bob.page]) {
    await expect(page).toHaveURL(/\/calls\/[0-9a-f-]{36}\/ended$/);
    await expect(page.getByTestId('call-ended-duration')).toBeVisible({ timeout: 10_000 });
    const seconds = Number(
      await page.getByTestId('call-ended-duration').getAttribute('data-seconds'),
    );
    expect(seconds).toBeGreaterThan(0);
  }
  await shot(bob.page, 'direct-call-ended');

  // Both histories show it, newest first, ended, with a duration above zero.
  for (const [page, other, direction] of [
    [ada.page, bobName, 'outgoing'],
    [bob.page, adaName, 'incoming'],
  ] as const) {
    await openCalls(page);
    const item = await newestCall(page);
    await expect(item).toHaveAttribute('data-state', 'ended');
    await expect(item).toHaveAttribute('data-direction', direction);
    await expect(item.getByTestId('call-item-name')).toHaveText(other);
    const seconds = Number(
      await item.getByTestId('call-item-duration').getAttribute('data-seconds'),
    );
    expect(seconds).toBeGreaterThan(0);
  }
  await shot(bob.page, 'direct-call-history');
});

test.describe('with a 5 s ring timeout', () => {
  let server: RunningServer;
  let api: APIRequestContext;

  test.beforeAll(async () => {
    // Its own server: the suite's keeps the default 30 s, which other tests may rely on.
    server = await startServer({ CALL_RING_TIMEOUT_SECONDS: '5' });
    api = await playwrightRequest.newContext({ baseURL: server.baseURL });
  });
  test.afterAll(async () => {
    await api?.dispose();
    await server?.stop();
  });

  test('an unanswered call is missed: B sees the badge and calls back from the history, audio only', async ({
    browser,
  }) => {
    const adaName = unique('Ada');
    const bobName = unique('Bob');
    const { p: ada, session: adaSession } = await member(
      browser,
      api,
      adaName,
      '/contacts',
      server.baseURL,
    );
    const { p: bob, session: bobSession } = await member(
      browser,
      api,
      bobName,
      '/rooms',
      server.baseURL,
    );
    await addContactViaApi(api, adaSession, bobSession.user.id);

    // Ada calls Bob (audio); Bob's phone rings and nobody answers.
    await ada.page.reload();
    const contact = ada.page.locator(`[data-testid="contact"][data-name="${bobName}"]`);
    await contact.getByTestId('contact-call-audio').click();
    await expect(ada.page.getByTestId('outgoing-call')).toHaveAttribute('data-state', 'calling');
    await expect(incomingCard(bob.page)).toHaveAttribute('data-state', 'ringing');
    await expect(bob.page.getByTestId('missed-badge')).toHaveCount(0);

    // After the ring timeout: "no answer" for Ada, the card goes and the badge comes for Bob.
    await expect(ada.page.getByTestId('outgoing-outcome')).toHaveAttribute(
      'data-outcome',
      'missed',
      { timeout: 15_000 },
    );
    await expect(ada.page.getByTestId('outgoing-again')).toBeVisible();
    await shot(ada.page, 'direct-call-no-answer');
    await expect(incomingCard(bob.page)).toHaveCount(0);
    await expect(bob.page.getByTestId('missed-badge')).toHaveText('1');
    await shot(bob.page, 'direct-call-missed-badge');

    // Bob's history shows the missed call; looking at it clears the badge.
    await openCalls(bob.page);
    const item = await newestCall(bob.page);
    await expect(item).toHaveAttribute('data-missed', 'true');
    await expect(item).toHaveAttribute('data-state', 'missed');
    await expect(item.getByTestId('call-item-name')).toHaveText(adaName);
    await expect(bob.page.getByTestId('missed-badge')).toHaveCount(0);
    await shot(bob.page, 'direct-call-missed-history');

    // Bob calls back from the history; Ada's phone rings with Bob's name.
    await ada.page.getByTestId('outgoing-back').click();
    await item.getByTestId('call-back-audio').click();
    await expect(bob.page).toHaveURL(/\/calls\/[0-9a-f-]{36}\/outgoing$/);
    await expect(incomingCard(ada.page)).toHaveAttribute('data-state', 'ringing');
    await expect(incomingCard(ada.page).getByTestId('incoming-name')).toHaveText(bobName);
    await expect(incomingCard(ada.page)).toContainText('Incoming audio call');

    // Ada declines: Bob sees it, and calls again.
    await ada.page.getByTestId('incoming-decline').click();
    await expect(incomingCard(ada.page)).toHaveCount(0);
    await expect(bob.page.getByTestId('outgoing-outcome')).toHaveAttribute(
      'data-outcome',
      'rejected',
    );
    await bob.page.getByTestId('outgoing-again').click();
    await expect(bob.page.getByTestId('outgoing-call')).toHaveAttribute('data-state', 'calling');

    // This time Ada answers: an audio call shows the two as avatars, and they hear each other.
    await expect(incomingCard(ada.page)).toHaveAttribute('data-state', 'ringing');
    await expect(ada.page.getByTestId('incoming-accept-audio')).toHaveCount(0);
    await ada.page.getByTestId('incoming-accept').click();
    for (const page of [ada.page, bob.page]) {
      await inDirectCall(page);
      await expect(page.getByTestId('audio-stage')).toBeVisible();
      await expect(page.getByTestId('audio-tile')).toHaveCount(2);
      await expect(page.getByTestId('video-grid')).toHaveCount(0);
    }
    for (const page of [ada.page, bob.page]) await expectBytesGrowing(page, 'audio', 5_000);
    await shot(ada.page, 'direct-call-audio');

    // Bob hangs up; both see the end.
    await bob.page.getByTestId('leave-call').click();
    for (const page of [ada.page, bob.page]) {
      await expect(page).toHaveURL(/\/calls\/[0-9a-f-]{36}\/ended$/);
      await expect(page.getByTestId('call-ended-title')).toContainText('ended');
    }
  });
});
