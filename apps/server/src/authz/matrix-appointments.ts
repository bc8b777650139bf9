import type { Account, Actor, Fixture, HttpOutcome, World } from './fixtures.js';
import type { HttpRow } from './matrix.js';

// Authorization rows for the appointments routes (issue 12), merged into HTTP_MATRIX.
// Each row's appointment is between `otherMember`, made a provider by the admin through
// PATCH /api/admin/users/:id on first use, and `member`, its client. The admin sees every
// appointment; every other signed-in actor is a stranger to it and gets
// APPOINTMENT_NOT_FOUND, exactly as for none. Guests get 403 on every route. (Being a
// provider changes no other row's answer: only appointments look at that role.)
// Rows that change the appointment book a new one per actor, each in its own slot so
// the two are never double-booked.

const NO_TOKEN = '401 UNAUTHENTICATED';
const FORBIDDEN = '403 FORBIDDEN';
const STRANGER = '404 APPOINTMENT_NOT_FOUND';
const UNSIGNED = '401 WEBHOOK_SIGNATURE_INVALID';
const MINUTE = 60_000;

type Json = Record<string, unknown>;

async function call(
  w: World,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  who: Account,
  body: unknown,
): Promise<Json> {
  const res = await w.s.api(method, url, who, body);
  if (res.status >= 300) {
    throw new Error(`fixture: ${method} ${url} answered ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

async function callPut(w: World, url: string, who: Account, body: unknown): Promise<void> {
  const res = await w.s.t.app.inject({
    method: 'PUT',
    url,
    headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  if (res.statusCode !== 200) throw new Error(`fixture: PUT ${url} answered ${res.statusCode}`);
}

const promoted = new WeakMap<World, Promise<Json>>();
/** `otherMember` is a provider from the first appointment row on. */
function providerReady(w: World): Promise<Json> {
  let done = promoted.get(w);
  if (!done) {
    const { admin, otherMember } = w.people;
    done = call(w, 'PATCH', `/api/admin/users/${otherMember.id}`, admin, { role: 'provider' });
    promoted.set(w, done);
  }
  return done;
}

// The matrix runs on the real clock: each booking gets its own half hour, a day ahead.
let slots = 0;
const nextSlot = () =>
  new Date(Date.now() + 24 * 60 * MINUTE + slots++ * 30 * MINUTE).toISOString();

/** A new appointment of `otherMember` (provider) with `member` (client); its id. */
async function booked(w: World, state: 'scheduled' | 'confirmed' = 'scheduled'): Promise<string> {
  await providerReady(w);
  const { member, otherMember } = w.people;
  const body = await call(w, 'POST', '/api/appointments', otherMember, {
    clientId: member.id,
    startsAt: nextSlot(),
    durationMinutes: 30,
    title: 'Matrix session',
    notes: 'provider only',
  });
  const id = (body.appointment as { id: string }).id;
  if (state === 'confirmed')
    await call(w, 'POST', `/api/appointments/${id}/confirm`, otherMember, undefined);
  return id;
}

const joinable = new WeakMap<World, Promise<string>>();
/** One confirmed, paid appointment whose join window is open now (shared by the room row). */
function inWindow(w: World): Promise<string> {
  let id = joinable.get(w);
  if (!id) {
    id = (async () => {
      await providerReady(w);
      const { member, otherMember, admin } = w.people;
      const body = await call(w, 'POST', '/api/appointments', otherMember, {
        clientId: member.id,
        // Joining opens 15 min before the start (the default window).
        startsAt: new Date(Date.now() + 5 * MINUTE).toISOString(),
        durationMinutes: 5,
        title: 'Matrix call',
      });
      const appointmentId = (body.appointment as { id: string }).id;
      await call(w, 'POST', `/api/appointments/${appointmentId}/confirm`, otherMember, undefined);
      await callPut(w, `/api/appointments/${appointmentId}/payment`, admin, {
        paymentStatus: 'paid',
      });
      return appointmentId;
    })();
    joinable.set(w, id);
  }
  return id;
}

/** A row about one appointment: its client's, provider's and admin's answers; strangers 404. */
function partiesOnly(
  client: HttpOutcome,
  provider: HttpOutcome,
  admin: HttpOutcome,
): Record<Actor, HttpOutcome> {
  return {
    anonymous: NO_TOKEN,
    guest: FORBIDDEN,
    member: client,
    otherMember: provider,
    admin,
    pending: STRANGER,
    admitted: STRANGER,
    cohost: STRANGER,
    host: STRANGER,
  };
}

const at =
  (path: string, body?: () => unknown, state?: 'confirmed') =>
  async (_fx: Fixture, _a: Actor, w: World) => ({
    url: `/api/appointments/${await booked(w, state)}${path}`,
    ...(body ? { body: body() } : {}),
  });

// prettier-ignore
export const APPOINTMENT_ROWS: Record<string, HttpRow> = {
  'POST /api/appointments': {
    // Each actor books a new client in a new slot; only providers and admins may.
    request: async (_fx, _a, w) => {
      await providerReady(w);
      const client = await w.s.member('client');
      return {
        url: '/api/appointments',
        body: { clientId: client.id, startsAt: nextSlot(), durationMinutes: 30, title: 'Booked' },
      };
    },
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: FORBIDDEN, otherMember: '201', admin: '201',
              pending: FORBIDDEN, admitted: FORBIDDEN, cohost: FORBIDDEN, host: FORBIDDEN },
  },
  'GET /api/appointments': {
    request: () => ({ url: '/api/appointments?when=upcoming&limit=5' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'GET /api/appointments · as=all, every appointment (admins only)': {
    request: () => ({ url: '/api/appointments?when=upcoming&as=all&limit=5' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: FORBIDDEN, otherMember: FORBIDDEN, admin: '200',
              pending: FORBIDDEN, admitted: FORBIDDEN, cohost: FORBIDDEN, host: FORBIDDEN },
  },
  'GET /api/appointments/:id': {
    request: at(''),
    expect: partiesOnly('200', '200', '200'),
  },
  'POST /api/appointments/:id/confirm': {
    request: at('/confirm'),
    expect: partiesOnly(FORBIDDEN, '200', '200'),
  },
  'POST /api/appointments/:id/reschedule': {
    request: at('/reschedule', () => ({ startsAt: nextSlot() })),
    expect: partiesOnly(FORBIDDEN, '200', '200'),
  },
  'POST /api/appointments/:id/cancel': {
    request: at('/cancel', () => ({ reason: 'Matrix' }), 'confirmed'),
    expect: partiesOnly('200', '200', '200'),
  },
  'PUT /api/appointments/:id/payment': {
    request: at('/payment', () => ({ paymentStatus: 'paid' })),
    expect: partiesOnly(FORBIDDEN, FORBIDDEN, '200'),
  },
  'GET /api/appointments/:id/can-join': {
    request: at('/can-join'),
    expect: partiesOnly('200', '200', '200'),
  },
  'POST /api/appointments/:id/room': {
    // Admins are not participants unless the practice allows it (off by default).
    request: async (_fx, _a, w) => ({ url: `/api/appointments/${await inWindow(w)}/room` }),
    expect: partiesOnly('200', '200', '403 APPOINTMENT_NOT_JOINABLE'),
  },
  'GET /api/appointments/:id/calendar.ics': {
    request: at('/calendar.ics'),
    expect: partiesOnly('200', '200', '200'),
  },
  // The payment provider's route: the signature is its only credential, so a bearer
  // token (an admin's too) counts for nothing and an unsigned call is refused for all.
  'POST /api/webhooks/payments': {
    request: async (_fx, _a, w) => ({
      url: '/api/webhooks/payments',
      body: { id: `evt-${slots++}`, type: 'payment.succeeded', appointmentId: await booked(w) },
    }),
    expect: { anonymous: UNSIGNED, guest: UNSIGNED, member: UNSIGNED, otherMember: UNSIGNED, admin: UNSIGNED,
              pending: UNSIGNED, admitted: UNSIGNED, cohost: UNSIGNED, host: UNSIGNED },
  },
};
