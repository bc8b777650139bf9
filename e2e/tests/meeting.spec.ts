import { expect, test } from '@playwright/test';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import {
  createRoomViaApi,
  expectVideoPlaying,
  inCall,
  joinFromPrejoin,
  registerViaApi,
  remoteVideoOf,
  selfTile,
  signIn,
  tileOf,
  peopleOfEachTest,
} from '../support/call.js';
import type { Person, person } from '../support/call.js';
import {
  SECOND_CAMERA,
  acceptInvite,
  addSecondCamera,
  audioEnergyOver,
  averageColour,
  closeDialog,
  connectionIdOf,
  createInviteInDialog,
  inboundRtp,
  inviteRow,
  noticeShown,
  openInviteDialog,
  openPeople,
  ownConnectionId,
  personRow,
  receivedAudio,
  recordPeerConnections,
  shotBoth,
  timerSeconds,
} from '../support/meeting.js';

// A meeting as people expect it from Meet or Jitsi: invites that respect the lobby and can be
// revoked, a kick that sticks, moderation that outlives the host, muting someone, a screen
// share beside the camera, spotlight, pin and raised hands, switching cameras mid-call and one
// meeting clock. Every person is a fresh browser context; the tests wait on conditions only.

test.describe.configure({ timeout: 120_000 });

const people = peopleOfEachTest();

async function newPerson(...args: Parameters<typeof person>): Promise<Person> {
  const p = await people.newPerson(...args);
  await recordPeerConnections(p.context);
  return p;
}

/** A registered host (signed in through the API) in the call of a new room. */
async function hostInRoom(
  browser: Browser,
  request: APIRequestContext,
  entry: 'open' | 'approval',
  roomName = 'Weekly planning',
) {
  const session = await registerViaApi(request, 'Ada Host');
  const room = await createRoomViaApi(request, session, { name: roomName, entry });
  const host = await newPerson(browser, 'Ada Host');
  await signIn(host.page, session);
  // The host of an approval room goes straight in: nobody to ask.
  await joinFromPrejoin(host.page, room.code);
  return { host, room, session };
}

/** A guest asks to join an approval room through its meeting link and waits in the lobby. */
async function knock(page: Page, code: string, name: string): Promise<void> {
  await page.goto(`/r/${code}?debug=1`);
  await page.getByTestId('guest-name').fill(name);
  await page.getByTestId('guest-continue').click();
  await expect(page.getByTestId('prejoin-join')).toHaveText('Ask to join');
  await page.getByTestId('prejoin-join').click();
  await expect(page.getByTestId('lobby-waiting')).toBeVisible();
}

/** The host lets `name` in from the knock toast; the person lands in the call. */
async function admitFromToast(moderator: Page, guest: Page, name: string): Promise<void> {
  const toast = moderator.getByTestId('lobby-toast');
  await expect(toast).toContainText(`${name} wants to join`);
  await toast.getByTestId('admit').click();
  await inCall(guest);
}

test('an invited guest of an approval room waits in the lobby until the host admits them', async ({
  browser,
  request,
}) => {
  const { host, room } = await hostInRoom(browser, request, 'approval', 'Design review');

  // The host makes an invite link in "Add people"; it is listed at once, unused.
  const invite = await createInviteInDialog(host.page);
  await expect(inviteRow(host.page, invite.code).getByTestId('invite-uses')).toContainText(
    'Used 0',
  );
  await closeDialog(host.page, 'invite-dialog');

  // The guest opens it in a browser of their own: the page says they will wait for the host.
  const guest = await newPerson(browser, 'Grace Guest');
  await guest.page.goto(invite.url);
  await expect(guest.page.getByTestId('invite-room')).toContainText('Design review');
  await expect(guest.page.getByTestId('invite-admission')).toHaveAttribute(
    'data-admission',
    'lobby',
  );
  await expect(guest.page.getByTestId('invite-join')).toHaveText('Ask to join');
  await guest.page.getByTestId('guest-name').fill('Grace Guest');
  await guest.page.getByTestId('invite-join').click();

  // In the lobby, not in the call: the host still sees only themselves.
  await expect(guest.page).toHaveURL(new RegExp(`/r/${room.code}$`));
  await expect(guest.page.getByTestId('lobby-waiting')).toBeVisible();
  await expect(host.page.getByTestId('lobby-toast')).toContainText('Grace Guest wants to join');
  await expect(host.page.getByTestId('tile')).toHaveCount(1);
  await expect(guest.page.getByTestId('call-page')).toHaveCount(0);

  // The host admits; the guest goes into the call and both see each other.
  await admitFromToast(host.page, guest.page, 'Grace Guest');
  await expectVideoPlaying(host.page, 'Grace Guest');
  await expectVideoPlaying(guest.page, 'Ada Host');

  // The invite counts the use.
  await openInviteDialog(host.page);
  await expect(inviteRow(host.page, invite.code).getByTestId('invite-uses')).toContainText(
    'Used 1',
  );
});

test('a revoked invite is refused at once, and whoever waits in the lobby with it is turned away', async ({
  browser,
  request,
}) => {
  const { host } = await hostInRoom(browser, request, 'approval', 'Design review');
  const revoked = await createInviteInDialog(host.page);
  const kept = await createInviteInDialog(host.page, { skipLobby: true });
  await closeDialog(host.page, 'invite-dialog');

  // One guest waits in the lobby with the first invite; another has its page open.
  const waiting = await newPerson(browser, 'Wendy');
  await acceptInvite(waiting.page, revoked.url, 'Wendy');
  await expect(waiting.page.getByTestId('lobby-waiting')).toBeVisible();
  await expect(host.page.getByTestId('lobby-toast')).toContainText('Wendy wants to join');
  const late = await newPerson(browser, 'Lars');
  await late.page.goto(revoked.url);
  await expect(late.page.getByTestId('invite-join')).toBeVisible();

  // The host revokes it in the invite list.
  await openInviteDialog(host.page);
  await inviteRow(host.page, revoked.code).getByTestId('invite-revoke').click();
  await expect(inviteRow(host.page, revoked.code)).toHaveAttribute('data-status', 'revoked');
  await expect(inviteRow(host.page, revoked.code).getByTestId('invite-status')).toHaveText(
    'Revoked',
  );
  await expect(inviteRow(host.page, kept.code)).toHaveAttribute('data-status', 'active');

  // The waiting guest is turned away at once, and the knock is gone from the host's screen.
  await expect(waiting.page.getByTestId('prejoin-blocked')).toHaveAttribute(
    'data-reason',
    'revoked',
  );
  await expect(waiting.page.getByTestId('prejoin-blocked-title')).toHaveText(
    'Your invitation was withdrawn',
  );
  await expect(waiting.page.getByTestId('lobby-waiting')).toHaveCount(0);
  await expect(host.page.getByTestId('lobby-toast')).toHaveCount(0);

  // Accepting it now is refused, and so is opening it in a new browser.
  await late.page.getByTestId('guest-name').fill('Lars');
  await late.page.getByTestId('invite-join').click();
  await expect(late.page.getByTestId('invite-invalid')).toHaveText('This invitation was withdrawn');
  const fresh = await newPerson(browser, 'Fay');
  await fresh.page.goto(revoked.url);
  await expect(fresh.page.getByTestId('invite-invalid')).toHaveText(
    'This invitation was withdrawn',
  );

  // The other invite still works (it skips the lobby): that guest comes straight in.
  await acceptInvite(fresh.page, kept.url, 'Fay');
  await expect(fresh.page.getByTestId('prejoin-join')).toHaveText('Join now');
  await fresh.page.getByTestId('prejoin-join').click();
  await inCall(fresh.page);
  await expect(tileOf(host.page, 'Fay')).toBeVisible();

  // The invite list for the gallery: one active (used once), one revoked. (The list is read
  // when the dialog opens.)
  await closeDialog(host.page, 'invite-dialog');
  await openInviteDialog(host.page);
  await expect(inviteRow(host.page, kept.code).getByTestId('invite-uses')).toContainText('Used 1');
  const list = host.page.getByTestId('invite-list');
  await shotBoth(host.page, 'meeting-invites', async () => {
    // The list is at the bottom of the dialog, which scrolls.
    await list.scrollIntoViewIfNeeded();
    await expect(list).toBeInViewport();
  });
});

test('a kicked person cannot come back through the same or another invite of the room', async ({
  browser,
  request,
}) => {
  const { host, room } = await hostInRoom(browser, request, 'approval', 'Board meeting');
  const first = await createInviteInDialog(host.page, { skipLobby: true });
  await closeDialog(host.page, 'invite-dialog');

  // Kim has an account and comes in with the invite (it skips the lobby); so does a guest.
  const kimSession = await registerViaApi(request, 'Kim');
  const kim = await newPerson(browser, 'Kim');
  await signIn(kim.page, kimSession);
  await acceptInvite(kim.page, first.url);
  await expect(kim.page.getByTestId('prejoin-join')).toHaveText('Join now');
  await kim.page.getByTestId('prejoin-join').click();
  await inCall(kim.page);
  const gus = await newPerson(browser, 'Gus');
  await acceptInvite(gus.page, first.url, 'Gus');
  await gus.page.getByTestId('prejoin-join').click();
  await inCall(gus.page);
  await expect(host.page.getByTestId('tile')).toHaveCount(3);

  // The host removes both, each after confirming.
  await openPeople(host.page);
  for (const [who, name] of [
    [kim, 'Kim'],
    [gus, 'Gus'],
  ] as const) {
    await personRow(host.page, name).getByTestId('kick').click();
    await expect(host.page.getByTestId('kick-dialog')).toContainText(name);
    await host.page.getByTestId('kick-confirm').click();
    await expect(who.page).toHaveURL(/\/ended\?reason=kicked/);
    await expect(tileOf(host.page, name)).toHaveCount(0);
  }
  const second = await createInviteInDialog(host.page, { skipLobby: true });
  await closeDialog(host.page, 'invite-dialog');

  // Kim, from a new browser each time, with the old invite and with the new one: refused.
  for (const url of [first.url, second.url]) {
    const again = await newPerson(browser, 'Kim again');
    await signIn(again.page, kimSession);
    await acceptInvite(again.page, url);
    await expect(again.page.getByTestId('invite-invalid')).toHaveText(
      'You were removed from this meeting',
    );
    // Nor does the meeting link let Kim in.
    await again.page.goto(`/r/${room.code}`);
    await expect(again.page.getByTestId('prejoin-blocked')).toHaveAttribute(
      'data-reason',
      'kicked',
    );
    await again.context.close();
  }
  // The guest (whose browser still holds the guest account) neither.
  await acceptInvite(gus.page, second.url);
  await expect(gus.page.getByTestId('invite-invalid')).toHaveText(
    'You were removed from this meeting',
  );
  await expect(host.page.getByTestId('tile')).toHaveCount(1);
});

test('the host leaves without ending the meeting; the person it passes to admits a newcomer', async ({
  browser,
  request,
}) => {
  const { host, room } = await hostInRoom(browser, request, 'approval', 'Design review');
  const bob = await newPerson(browser, 'Bob');
  await knock(bob.page, room.code, 'Bob');
  await admitFromToast(host.page, bob.page, 'Bob');
  await expectVideoPlaying(host.page, 'Bob');

  // Leave asks the last host whom to hand over to (or to end for all); the host lets Parley
  // choose and leaves: the meeting goes on.
  await host.page.getByTestId('leave-call').click();
  const dialog = host.page.getByTestId('leave-dialog');
  await expect(dialog).toHaveAttribute('data-kind', 'handover');
  await expect(dialog.getByTestId('handover-option')).toHaveCount(1);
  await expect(dialog.getByTestId('handover-option')).toContainText('Bob');
  await expect(dialog.getByTestId('confirm-end')).toBeVisible();
  await dialog.getByTestId('handover-auto').click();
  await expect(dialog.getByTestId('leave-only')).toHaveText('Leave the meeting');
  const told = noticeShown(bob.page, 'You are now a co-host');
  await dialog.getByTestId('leave-only').click();
  await expect(host.page).toHaveURL(/\/ended\?reason=left/);

  // The server makes Bob a co-host, and tells him.
  await expect(tileOf(bob.page, 'Ada Host')).toHaveCount(0);
  await told;
  await openPeople(bob.page);
  await expect(personRow(bob.page, 'Bob (you)')).toHaveAttribute('data-role', 'cohost');

  // A newcomer knocks; Bob lets them in.
  const cleo = await newPerson(browser, 'Cleo');
  await knock(cleo.page, room.code, 'Cleo');
  const knocking = bob.page.locator('[data-testid="lobby-request"]', { hasText: 'Cleo' });
  await expect(knocking).toBeVisible();
  await knocking.getByTestId('admit').click();
  await inCall(cleo.page);
  await expectVideoPlaying(bob.page, 'Cleo');
  await expectVideoPlaying(cleo.page, 'Bob');
});

/**
 * Less audio energy than this over a window is silence: Bob's fake microphone beeps twice a
 * second, about 1.4 over 250 packets; a disabled track sends exactly 0.
 */
const SILENCE = 1e-6;

test('the host mutes a participant: their outgoing audio stops and they are told', async ({
  browser,
  request,
}) => {
  const { host, room } = await hostInRoom(browser, request, 'open');
  const bob = await newPerson(browser, 'Bob');
  await joinFromPrejoin(bob.page, room.code, 'Bob');
  await expectVideoPlaying(host.page, 'Bob');

  // Bob's fake microphone beeps: the sound energy the host receives grows.
  const speaking = await receivedAudio(host.page);
  await expect
    .poll(async () => (await receivedAudio(host.page)).energy - speaking.energy, {
      timeout: 15_000,
      message: "Bob's audio energy should grow at the host",
    })
    .toBeGreaterThan(0.001);

  await openPeople(host.page);
  const told = noticeShown(bob.page, 'Ada Host turned off your microphone');
  await personRow(host.page, 'Bob').getByTestId('participant-mute').click();

  // Bob is told who turned his microphone off, and his button says it is off.
  await told;
  await expect(bob.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'false');
  await expect(tileOf(host.page, 'Bob')).toHaveAttribute('data-muted', 'true');
  await expect(personRow(host.page, 'Bob').getByTestId('participant-mic')).toHaveAttribute(
    'data-state',
    'off',
  );

  // At the host, packets keep coming (silence) but no energy comes with them: once what was
  // already on its way has played out, a window of 250 packets (5 s of Opus frames, about ten
  // of the fake microphone's beeps) brings none.
  await expect
    .poll(() => audioEnergyOver(host.page, 25), { timeout: 20_000 })
    .toBeLessThan(SILENCE);
  expect(await audioEnergyOver(host.page, 250)).toBeLessThan(SILENCE);

  // Unmuting stays Bob's choice: he turns it back on and is heard again.
  await bob.page.getByTestId('toggle-mic').click();
  await expect(tileOf(host.page, 'Bob')).toHaveAttribute('data-muted', 'false');
  const back = await receivedAudio(host.page);
  await expect
    .poll(async () => (await receivedAudio(host.page)).energy - back.energy, { timeout: 15_000 })
    .toBeGreaterThan(0.001);
});

test('a screen share takes the stage while the presenter’s camera keeps sending', async ({
  browser,
  request,
}) => {
  const { host, room } = await hostInRoom(browser, request, 'open', 'Quarterly review');
  const bob = await newPerson(browser, 'Bob');
  await joinFromPrejoin(bob.page, room.code, 'Bob');
  await expectVideoPlaying(host.page, 'Bob');
  const bobId = await connectionIdOf(host.page, 'Bob');
  // One video stream from Bob so far.
  await expect.poll(async () => framesByReceiver(host.page)).toHaveLength(1);

  await bob.page.getByTestId('toggle-screen').click();
  await expect(bob.page.getByTestId('toggle-screen')).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.page.getByTestId('you-are-presenting')).toBeVisible();

  // The host's stage shows Bob's screen; Bob's camera tile sits in the strip beside it.
  const stage = host.page.getByTestId('stage');
  await expect(stage).toHaveAttribute('data-kind', 'screen', { timeout: 15_000 });
  await expect(stage).toHaveAttribute('data-connection-id', bobId);
  await expect(stage.locator('[data-testid="tile-screen"][data-name="Bob"]')).toBeVisible();
  await expect(host.page.getByTestId('strip').getByTestId('tile')).toHaveCount(2);
  await expect(host.page.getByTestId('strip')).toContainText('Bob');

  // Two video tracks arrive from Bob, the camera and the screen, and both keep decoding.
  await expect.poll(async () => (await framesByReceiver(host.page)).length).toBe(2);
  const start = await framesByReceiver(host.page);
  // Both on the one peer connection with Bob, on receivers of their own.
  expect(new Set(start.map((r) => r.mid.split(':')[0])).size).toBe(1);
  await expect
    .poll(
      async () => {
        const now = await framesByReceiver(host.page);
        return now.filter((r) => r.frames > (start.find((s) => s.mid === r.mid)?.frames ?? 0) + 10)
          .length;
      },
      { timeout: 15_000, message: 'both of the video tracks from Bob should keep decoding' },
    )
    .toBe(2);
  await expectVideoPlaying(host.page, 'Bob');
  const screenVideo = stage.getByTestId('screen-video');
  await expect
    .poll(() => screenVideo.evaluate((v: HTMLVideoElement) => v.videoWidth))
    .toBeGreaterThan(0);

  await shotBoth(host.page, 'meeting-stage', async (size) => {
    await expect(host.page.getByTestId('call-stage')).toHaveAttribute(
      'data-strip',
      size === 'phone' ? 'bottom' : 'right',
    );
  });

  // Stopping the share gives the stage back; the camera never stopped.
  await bob.page.getByTestId('toggle-screen').click();
  await expect(host.page.getByTestId('tile-screen')).toHaveCount(0);
  await expect(host.page.getByTestId('call-stage')).toHaveAttribute('data-layout', 'grid');
  await expectVideoPlaying(host.page, 'Bob');
});

/** Decoded frames per video receiver (mid) of the page's peer connections. */
async function framesByReceiver(page: Page): Promise<{ mid: string; frames: number }[]> {
  return (await inboundRtp(page))
    .filter((s) => s.kind === 'video' && s.packetsReceived > 0)
    .map((s) => ({ mid: `${s.pc}:${s.mid}`, frames: s.framesDecoded }));
}

test('a host spotlight and a raised hand are seen by everyone; a pin is one’s own', async ({
  browser,
  request,
}) => {
  // Three people in the call, each checked on every page: more room than the others.
  test.setTimeout(180_000);
  const { host, room } = await hostInRoom(browser, request, 'open', 'All hands');
  const bob = await newPerson(browser, 'Bob');
  await joinFromPrejoin(bob.page, room.code, 'Bob');
  const cleo = await newPerson(browser, 'Cleo');
  await joinFromPrejoin(cleo.page, room.code, 'Cleo');
  for (const p of [host, bob, cleo]) await expect(p.page.getByTestId('tile')).toHaveCount(3);
  await expectVideoPlaying(bob.page, 'Cleo');
  const cleoId = await ownConnectionId(cleo.page);

  // The host puts Cleo in the spotlight: she takes the stage on everyone's screen.
  await openPeople(host.page);
  const spotlight = personRow(host.page, 'Cleo').getByTestId('participant-spotlight');
  await spotlight.click();
  await expect(spotlight).toHaveAttribute('aria-pressed', 'true');
  for (const p of [host, bob, cleo]) {
    const stage = p.page.getByTestId('stage');
    await expect(stage).toHaveAttribute('data-kind', 'camera');
    await expect(stage).toHaveAttribute('data-connection-id', cleoId);
    await expect(stage).toHaveAttribute('data-reason', 'spotlight');
  }

  // Bob pins the host for himself; the others keep the spotlight.
  const adaOnBob = tileOf(bob.page, 'Ada Host');
  await adaOnBob.hover();
  await adaOnBob.getByTestId('tile-pin').click();
  const bobStage = bob.page.getByTestId('stage');
  await expect(bobStage).toHaveAttribute('data-reason', 'pin');
  await expect(bobStage).toHaveAttribute(
    'data-connection-id',
    await connectionIdOf(bob.page, 'Ada Host'),
  );
  for (const p of [host, cleo]) {
    await expect(p.page.getByTestId('stage')).toHaveAttribute('data-connection-id', cleoId);
  }
  await bobStage.getByTestId('tile-pin').click();
  await expect(bobStage).toHaveAttribute('data-connection-id', cleoId);

  // Bob raises his hand, then Cleo: everyone's people panel lists them in that order.
  await bob.page.getByTestId('raise-hand').click();
  await expect(bob.page.getByTestId('raise-hand')).toHaveAttribute('aria-pressed', 'true');
  await expect(host.page.getByTestId('hand-queue-item')).toHaveCount(1);
  await cleo.page.getByTestId('raise-hand').click();
  for (const p of [host, bob, cleo]) {
    const panel = await openPeople(p.page);
    const queue = panel.getByTestId('hand-queue-item');
    await expect(queue).toHaveCount(2);
    await expect(queue.nth(0)).toContainText('Bob');
    await expect(queue.nth(0)).toHaveAttribute('data-position', '1');
    await expect(queue.nth(1)).toContainText('Cleo');
    await expect(queue.nth(1)).toHaveAttribute('data-position', '2');
  }
  // The tiles carry the place in the queue too.
  await expect(tileOf(host.page, 'Bob').getByTestId('tile-hand')).toBeVisible();
  await expect(tileOf(host.page, 'Bob')).toHaveAttribute('data-hand', '1');
  await expect(tileOf(host.page, 'Cleo')).toHaveAttribute('data-hand', '2');
  await shotBoth(host.page, 'meeting-hands', async () => {
    await expect(host.page.getByTestId('hand-queue')).toBeInViewport();
  });

  // The host lowers Bob's hand: Bob's button goes off and Cleo moves up.
  const told = noticeShown(bob.page, 'Ada Host lowered your hand');
  await personRow(host.page, 'Bob').getByTestId('participant-lower-hand').click();
  await told;
  await expect(bob.page.getByTestId('raise-hand')).toHaveAttribute('aria-pressed', 'false');
  for (const p of [host, bob, cleo]) {
    const queue = p.page.getByTestId('hand-queue-item');
    await expect(queue).toHaveCount(1);
    await expect(queue).toContainText('Cleo');
    await expect(queue).toHaveAttribute('data-position', '1');
  }
});

test('switching camera mid-call changes the video the others receive', async ({
  browser,
  request,
}) => {
  const { host, room } = await hostInRoom(browser, request, 'open');
  const bob = await newPerson(browser, 'Bob');
  await addSecondCamera(bob.page);
  await joinFromPrejoin(bob.page, room.code, 'Bob');
  await expectVideoPlaying(host.page, 'Bob');
  const received = remoteVideoOf(host.page, 'Bob');
  const isSecondCamera = async () => {
    const { r, g, b } = await averageColour(received);
    const [R, G, B] = SECOND_CAMERA.rgb;
    return Math.abs(r - R) < 40 && Math.abs(g - G) < 40 && Math.abs(b - B) < 40;
  };
  expect(await isSecondCamera()).toBe(false);

  // Bob picks "Test camera 2" in the call's device menu.
  await bob.page.getByTestId('device-menu-trigger').click();
  const menu = bob.page.getByTestId('device-menu');
  await expect(menu).toBeVisible();
  const option = menu.locator(
    `[data-testid="device-option"][data-kind="videoinput"][data-device-id="${SECOND_CAMERA.deviceId}"]`,
  );
  await expect(option).toContainText(SECOND_CAMERA.label);
  await option.click();

  // The host now receives the second camera's colour, still moving.
  await expect.poll(isSecondCamera, { timeout: 15_000 }).toBe(true);
  await expectVideoPlaying(host.page, 'Bob');
  // And the device menu marks it as the camera in use.
  await bob.page.getByTestId('device-menu-trigger').click();
  await expect(option).toHaveAttribute('aria-checked', 'true');
  await bob.page.keyboard.press('Escape');
  await expect(selfTile(bob.page)).toHaveAttribute('data-video', 'on');
});

test('two people joining 8 s apart see the same meeting time', async ({ browser, request }) => {
  const { host, room } = await hostInRoom(browser, request, 'open');
  const startedAt = await host.page.getByTestId('call-timer').getAttribute('data-started-at');
  expect(startedAt).toBeTruthy();

  // The one fixed wait of the suite: what is tested is two joins some seconds apart. A timer
  // counted from Bob's own join would read several seconds less than the host's.
  await host.page.waitForTimeout(8_000);
  const bob = await newPerson(browser, 'Bob');
  await joinFromPrejoin(bob.page, room.code, 'Bob');
  await expect(bob.page.getByTestId('call-timer')).toHaveAttribute('data-started-at', startedAt!);

  // Read one page, the other, and the first again right after each other.
  const a1 = await timerSeconds(host.page);
  const b = await timerSeconds(bob.page);
  const a2 = await timerSeconds(host.page);
  expect(b).toBeGreaterThanOrEqual(8);
  expect(Math.abs(a1 - b)).toBeLessThanOrEqual(1);
  expect(Math.abs(a2 - b)).toBeLessThanOrEqual(1);
});
