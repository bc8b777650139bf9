import { randomUUID } from 'node:crypto';
import { expect } from '@playwright/test';
import type { APIRequestContext, Page } from '@playwright/test';
import type { Session } from './call.js';

// Helpers for the appointment tests: an admin from ADMIN_EMAIL, providers promoted by it, and
// appointments booked, confirmed and paid over the API (the UI is not what they are about).

export const ADMIN = { email: 'admin@parley.test', password: 'admin password 42' };
const PASSWORD = 'correct horse 42';

/** The whole AuthResponse: the app keeps it in localStorage as it is. */
export type FullSession = Session & { user: { role: string } };

const auth = (s: Session) => ({ authorization: `Bearer ${s.tokens.accessToken}` });

export async function login(
  request: APIRequestContext,
  email: string,
  password: string,
): Promise<FullSession> {
  const res = await request.post('/api/auth/login', { data: { email, password } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as FullSession;
}

/** A new member; with `provider`, promoted by the admin and signed in again as one. */
export async function account(
  request: APIRequestContext,
  name: string,
  opts: { provider?: boolean; admin?: FullSession } = {},
): Promise<FullSession> {
  const email = `${randomUUID()}@parley.test`;
  const res = await request.post('/api/auth/register', {
    data: { email, password: PASSWORD, displayName: name },
  });
  expect(res.status()).toBe(201);
  const session = (await res.json()) as FullSession;
  if (!opts.provider) return session;
  if (!opts.admin) throw new Error('promoting a provider needs the admin');
  const promoted = await request.patch(`/api/admin/users/${session.user.id}`, {
    headers: auth(opts.admin),
    data: { role: 'provider' },
  });
  expect(promoted.status(), await promoted.text()).toBe(200);
  // Signed in afresh, so the session the app starts with says "provider".
  const fresh = await login(request, email, PASSWORD);
  expect(fresh.user.role).toBe('provider');
  return fresh;
}

export interface Booked {
  id: string;
  title: string;
  /** As the server stored them. */
  startsAt: string;
  endsAt: string;
}

/** The provider books the client; then confirmed by the provider and paid by the admin. */
export async function book(
  request: APIRequestContext,
  people: { provider: FullSession; client: FullSession; admin: FullSession },
  opts: {
    startsInMs: number;
    durationMinutes?: number;
    title: string;
    confirm?: boolean;
    pay?: boolean;
  },
): Promise<Booked> {
  const startsAt = new Date(Date.now() + opts.startsInMs).toISOString();
  const res = await request.post('/api/appointments', {
    headers: auth(people.provider),
    data: {
      clientId: people.client.user.id,
      startsAt,
      durationMinutes: opts.durationMinutes ?? 30,
      title: opts.title,
      notes: 'Private: only the provider reads this.',
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const { appointment } = (await res.json()) as {
    appointment: { id: string; startsAt: string; endsAt: string };
  };
  if (opts.confirm !== false) {
    const confirmed = await request.post(`/api/appointments/${appointment.id}/confirm`, {
      headers: auth(people.provider),
    });
    expect(confirmed.status(), await confirmed.text()).toBe(200);
  }
  if (opts.pay !== false) {
    const paid = await request.put(`/api/appointments/${appointment.id}/payment`, {
      headers: auth(people.admin),
      data: { paymentStatus: 'paid' },
    });
    expect(paid.status(), await paid.text()).toBe(200);
  }
  return {
    id: appointment.id,
    title: opts.title,
    startsAt: appointment.startsAt,
    endsAt: appointment.endsAt,
  };
}

/** The call page of an appointment is up and this person is in the call. */
export async function inAppointmentCall(page: Page, appointmentId: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`/r/[a-z-]+/call\\?appointment=${appointmentId}$`), {
    timeout: 15_000,
  });
  await expect(page.locator('[data-testid="tile"][data-self="true"]')).toBeVisible({
    timeout: 15_000,
  });
  await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 15_000 });
}

/** "32:05 left" (or "1:02:03 left") as milliseconds; null when it is not a time left. */
export function parseTimeLeft(text: string): number | null {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2}) left$/.exec(text.trim());
  if (!m) return null;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
}
