import { expect } from '@playwright/test';
import type { APIRequestContext, BrowserContext, Page } from '@playwright/test';
import type { Session } from './call.js';

// Helpers for the direct-call tests: signed-in contexts with several tabs, and waits on what
// the phone shows (the ringing card, the badge, the history).

/** Every tab of `context` starts signed in as `session` (the app keeps it in localStorage). */
export async function signInContext(context: BrowserContext, session: Session): Promise<void> {
  await context.addInitScript((value) => {
    try {
      if (!localStorage.getItem('parley.session')) localStorage.setItem('parley.session', value);
    } catch {
      // A frame without storage: nothing to sign in there.
    }
  }, JSON.stringify(session));
}

export async function addContactViaApi(
  request: APIRequestContext,
  owner: Session,
  userId: string,
): Promise<void> {
  const res = await request.post('/api/contacts', {
    headers: { authorization: `Bearer ${owner.tokens.accessToken}` },
    data: { userId },
  });
  expect([200, 201]).toContain(res.status());
}

/** The ringing card over whatever page is open. */
export const incomingCard = (page: Page) => page.getByTestId('incoming-call');

/** The call page of a direct call is up and this person is in it. */
export async function inDirectCall(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/r\/[a-z-]+\/call\?call=[0-9a-f-]{36}$/, { timeout: 15_000 });
  // A video tile, or a large avatar in an audio call.
  const self = page.locator(
    '[data-testid="tile"][data-self], [data-testid="audio-tile"][data-self]',
  );
  await expect(self).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 15_000 });
}

/** The call timer shows at least `seconds` (the meeting's time, from the server's start). */
export async function waitForCallTime(page: Page, seconds: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const text = (await page.getByTestId('call-timer').textContent()) ?? '00:00';
        const [m, s] = text.split(':').map(Number);
        return (m ?? 0) * 60 + (s ?? 0);
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThanOrEqual(seconds);
}

/** The newest call of the history page: its state and the server's duration in seconds. */
export async function newestCall(page: Page) {
  const item = page.getByTestId('call-item').first();
  await expect(item).toBeVisible();
  return item;
}
