import type { Appointment, AppointmentEvent, CanJoinResponse } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import type { Person } from '../signaling/test-server.js';
import { AppointmentsServer, SHORT_WINDOW, MINUTE, outcome } from './test-appointments.js';
import { SYSTEM_CONTEXT } from '../../platform/request-context.js';

// The appointment routes over HTTP (issue 12), on the real app: who may book, list,
// read, confirm, reschedule, cancel and pay; the join answer at the window's exact
// edges on the fake clock; the room; the calendar file; the parties' live notices.

describe.each(dialects)('appointment routes on %s', (dialect) => {
  let b: AppointmentsServer;
  let admin: Person;
  beforeAll(async () => {
    b = await AppointmentsServer.start(dialect, SHORT_WINDOW);
  });
  afterEach(async () => {
    await b.closeClients();
  });
  afterAll(async () => {
    await b.close();
  });

  /** New people for one test: an admin, a provider, a client (tokens fresh on the clock). */
  async function cast() {
    admin = await b.admin();
    const provider = await b.provider(admin);
    const client = await b.member('client');
    return { admin, provider, client };
  }

  const body = (clientId: string, extra: Record<string, unknown> = {}) => ({
    clientId,
    startsAt: b.at(60 * MINUTE),
    durationMinutes: 30,
    title: 'Therapy session',
    ...extra,
  });

  describe('booking', () => {
    it('only providers and admins book: a member 403, a guest 403, a provider and an admin (for a provider) 201', async () => {
      const { admin, provider, client } = await cast();
      const member = await b.member();
      const guest = await b.guest();
      expect(outcome(await b.api('POST', '/api/appointments', member, body(client.id)))).toBe(
        '403 FORBIDDEN',
      );
      expect(outcome(await b.api('POST', '/api/appointments', guest, body(client.id)))).toBe(
        '403 FORBIDDEN',
      );
      expect(outcome(await b.api('POST', '/api/appointments', undefined, body(client.id)))).toBe(
        '401 UNAUTHENTICATED',
      );

      const own = await b.api('POST', '/api/appointments', provider, body(client.id));
      expect(own.status).toBe(201);
      expect(own.body.appointment).toMatchObject({
        provider: { id: provider.id },
        client: { id: client.id },
        status: 'scheduled',
        paymentStatus: 'pending',
        myRole: 'provider',
        durationMinutes: 30,
        room: null,
      });

      const other = await b.member('client');
      const forProvider = await b.api(
        'POST',
        '/api/appointments',
        admin,
        body(other.id, { providerId: provider.id, startsAt: b.at(3 * 60 * MINUTE) }),
      );
      expect(forProvider.status, JSON.stringify(forProvider.body)).toBe(201);
      expect(forProvider.body.appointment).toMatchObject({
        provider: { id: provider.id },
        myRole: 'admin',
        notes: null,
      });
    });

    it('a provider cannot book for another provider (403); an admin cannot name a member as provider (400)', async () => {
      const { admin, provider, client } = await cast();
      const colleague = await b.provider(admin);
      const member = await b.member();
      expect(
        outcome(
          await b.api(
            'POST',
            '/api/appointments',
            provider,
            body(client.id, { providerId: colleague.id }),
          ),
        ),
      ).toBe('403 FORBIDDEN');
      expect(
        outcome(
          await b.api(
            'POST',
            '/api/appointments',
            admin,
            body(client.id, { providerId: member.id }),
          ),
        ),
      ).toBe('400 VALIDATION_FAILED');
      // Naming oneself is the same as naming nobody.
      expect(
        (
          await b.api(
            'POST',
            '/api/appointments',
            provider,
            body(client.id, { providerId: provider.id }),
          )
        ).status,
      ).toBe(201);
    });

    it('the client must be someone else, not a guest, known and enabled', async () => {
      const { admin, provider } = await cast();
      const guest = await b.guest();
      const disabled = await b.member('disabled');
      expect(
        (await b.api('PATCH', `/api/admin/users/${disabled.id}`, admin, { disabled: true })).status,
      ).toBe(200);
      const cases: [string, string][] = [
        [provider.id, '400 INVALID_CLIENT'],
        [guest.id, '400 INVALID_CLIENT'],
        ['00000000-0000-4000-8000-000000000000', '404 USER_NOT_FOUND'],
        [disabled.id, '404 USER_NOT_FOUND'],
      ];
      for (const [clientId, expected] of cases) {
        expect([
          clientId,
          outcome(await b.api('POST', '/api/appointments', provider, body(clientId))),
        ]).toEqual([clientId, expected]);
      }
    });

    it('the start must be in the future (now is too late) and within the booking horizon', async () => {
      const { provider, client } = await cast();
      for (const startsAt of [b.at(0), b.at(-MINUTE), b.at(401 * 24 * 60 * MINUTE)]) {
        const res = await b.api(
          'POST',
          '/api/appointments',
          provider,
          body(client.id, { startsAt }),
        );
        expect(outcome(res)).toBe('400 VALIDATION_FAILED');
        expect(res.body.error).toMatchObject({
          details: { fields: { startsAt: expect.any(Array) } },
        });
      }
      // An explicit offset is the same instant, stored in UTC.
      const inOneHour = new Date(b.clock.now().getTime() + 60 * MINUTE);
      const local = `${new Date(inOneHour.getTime() + 2 * 60 * MINUTE).toISOString().slice(0, 19)}+02:00`;
      const res = await b.api(
        'POST',
        '/api/appointments',
        provider,
        body(client.id, { startsAt: local }),
      );
      expect(res.status).toBe(201);
      expect((res.body.appointment as Appointment).startsAt).toBe(
        new Date(Math.floor(inOneHour.getTime() / 1000) * 1000).toISOString(),
      );
    });

    it('an overlap with an open appointment of the provider or of the client is 409 APPOINTMENT_CONFLICT; touching slots are fine', async () => {
      const { admin, provider, client } = await cast();
      const first = await b.bookViaApi(provider, client, {
        inMs: 60 * MINUTE,
        durationMinutes: 30,
      });

      // The provider is busy, with another client.
      const other = await b.member('client');
      const clash = await b.api(
        'POST',
        '/api/appointments',
        provider,
        body(other.id, {
          startsAt: b.at(80 * MINUTE),
          durationMinutes: 30,
        }),
      );
      expect(outcome(clash)).toBe('409 APPOINTMENT_CONFLICT');
      expect(clash.body.error).toMatchObject({
        details: { who: 'provider', appointmentId: first.id },
      });

      // The client is busy, with another provider.
      const colleague = await b.provider(admin);
      const clientBusy = await b.api(
        'POST',
        '/api/appointments',
        colleague,
        body(client.id, {
          startsAt: b.at(50 * MINUTE),
          durationMinutes: 15,
        }),
      );
      expect(outcome(clientBusy)).toBe('409 APPOINTMENT_CONFLICT');
      expect(clientBusy.body.error).toMatchObject({ details: { who: 'client' } });

      // Back to back is no overlap; a cancelled slot is free again.
      await b.bookViaApi(provider, other, { inMs: 90 * MINUTE, durationMinutes: 30 });
      await b.bookViaApi(colleague, client, { inMs: 45 * MINUTE, durationMinutes: 15 });
      await b.did(provider, first.id, 'cancel', { reason: 'Ill' });
      await b.bookViaApi(colleague, other, { inMs: 60 * MINUTE, durationMinutes: 30 });
    });

    it('two concurrent bookings of the same provider at the same time: exactly one 201, the other 409', async () => {
      const { provider } = await cast();
      const [c1, c2] = [await b.member('client'), await b.member('client')];
      const startsAt = b.at(2 * 60 * MINUTE);
      const replies = await Promise.all(
        [c1, c2].map((c) => b.api('POST', '/api/appointments', provider, body(c.id, { startsAt }))),
      );
      expect(replies.map(outcome).sort()).toEqual(['201', '409 APPOINTMENT_CONFLICT']);
      const rows = await b.db
        .selectFrom('appointments')
        .select('id')
        .where('provider_id', '=', provider.id)
        .execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('reading', () => {
    it('lists upcoming soonest first and past latest first, page by page, with the `as` filter', async () => {
      const { admin, provider, client } = await cast();
      // The provider is also the client of a colleague once.
      const colleague = await b.provider(admin);
      const mine = [];
      for (const h of [5, 3, 4, 1])
        mine.push(await b.bookViaApi(provider, client, { inMs: h * 60 * MINUTE }));
      const asClient = await b.bookViaApi(colleague, provider, { inMs: 2 * 60 * MINUTE });
      const past = [
        await b.bookViaApi(provider, client, { inMs: 6 * 60 * MINUTE }),
        await b.bookViaApi(provider, client, { inMs: 7 * 60 * MINUTE }),
      ];
      for (const a of past) await b.did(client, a.id, 'cancel', { reason: 'Moving away' });

      const ids = async (query: string) => {
        const out: string[] = [];
        let cursor: string | null = null;
        do {
          const url: string = `/api/appointments?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
          const res = await b.api('GET', url, provider);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          const page = res.body.appointments as Appointment[];
          expect(page.length).toBeLessThanOrEqual(2);
          out.push(...page.map((a) => a.id));
          cursor = res.body.nextCursor as string | null;
        } while (cursor);
        return out;
      };
      const byStart = (list: Appointment[]) =>
        [...list].sort((x, y) => x.startsAt.localeCompare(y.startsAt)).map((a) => a.id);
      expect(await ids('when=upcoming')).toEqual(byStart([...mine, asClient]));
      expect(await ids('when=upcoming&as=provider')).toEqual(byStart(mine));
      expect(await ids('when=upcoming&as=client')).toEqual([asClient.id]);
      expect(await ids('when=past')).toEqual(byStart(past).reverse());

      const listed = await b.api('GET', '/api/appointments?as=client', provider);
      expect((listed.body.appointments as Appointment[])[0]).toMatchObject({
        myRole: 'client',
        notes: null,
      });
      // The client sees the same appointments from their side.
      const theirs = await b.api('GET', '/api/appointments', client);
      expect((theirs.body.appointments as Appointment[]).map((a) => a.myRole)).toEqual(
        mine.map(() => 'client'),
      );
    });

    it('a cursor this list did not give out is 400 VALIDATION_FAILED', async () => {
      const { provider } = await cast();
      for (const cursor of ['nope', Buffer.from('["x","y"]').toString('base64url')]) {
        const res = await b.api('GET', `/api/appointments?cursor=${cursor}`, provider);
        expect(outcome(res)).toBe('400 VALIDATION_FAILED');
        expect(res.body.error).toMatchObject({
          details: { fields: { cursor: expect.any(Array) } },
        });
      }
    });

    it('notes are shown to the provider only: the client and an admin get null', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.bookViaApi(provider, client, { notes: 'Private: ask about sleep' });
      const notes = async (who: Person) => {
        const res = await b.api('GET', `/api/appointments/${a.id}`, who);
        expect(res.status).toBe(200);
        return (res.body.appointment as Appointment).notes;
      };
      expect(await notes(provider)).toBe('Private: ask about sleep');
      expect(await notes(client)).toBeNull();
      expect(await notes(admin)).toBeNull();
      const listed = await b.api('GET', '/api/appointments', client);
      expect((listed.body.appointments as Appointment[]).map((x) => x.notes)).toEqual([null]);
    });

    it('an admin lists every appointment with as=all (in an admin view), not only their own; anyone else asking for all is 403', async () => {
      const { admin, provider, client } = await cast();
      const others = [
        await b.bookViaApi(provider, client, { inMs: 2 * 60 * MINUTE, notes: 'Private' }),
        await b.bookViaApi(await b.provider(admin), await b.member('client'), {
          inMs: 3 * 60 * MINUTE,
        }),
      ];
      const everything = async (who: Person, as?: string) => {
        const out: Appointment[] = [];
        let cursor: string | null = null;
        do {
          const url: string = `/api/appointments?limit=50${as ? `&as=${as}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
          const res = await b.api('GET', url, who);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          out.push(...(res.body.appointments as Appointment[]));
          cursor = res.body.nextCursor as string | null;
        } while (cursor);
        return out;
      };
      const ids = others.map((a) => a.id);
      // Without `as`, the admin's own list: they are a party to neither.
      expect((await everything(admin)).map((a) => a.id)).not.toEqual(
        expect.arrayContaining([ids[0]]),
      );
      const all = await everything(admin, 'all');
      const seen = all.filter((a) => ids.includes(a.id));
      expect(seen.map((a) => a.id).sort()).toEqual([...ids].sort());
      for (const a of seen) expect(a).toMatchObject({ myRole: 'admin', notes: null });
      // Soonest first, like every upcoming list.
      const starts = all.map((a) => a.startsAt);
      expect(starts).toEqual([...starts].sort());

      for (const who of [provider, client]) {
        expect(outcome(await b.api('GET', '/api/appointments?as=all', who))).toBe('403 FORBIDDEN');
      }
      expect(outcome(await b.api('GET', '/api/appointments?as=nobody', admin))).toBe(
        '400 VALIDATION_FAILED',
      );
    });

    it('a stranger gets 404 APPOINTMENT_NOT_FOUND from every route, as for no appointment; a guest 403', async () => {
      const { provider, client } = await cast();
      const a = await b.bookViaApi(provider, client);
      const stranger = await b.member('stranger');
      const otherProvider = await b.provider(admin);
      const guest = await b.guest();
      const routes = (
        id: string,
      ): [Parameters<AppointmentsServer['api']>[0], string, unknown?][] => [
        ['GET', `/api/appointments/${id}`],
        ['POST', `/api/appointments/${id}/confirm`],
        ['POST', `/api/appointments/${id}/reschedule`, { startsAt: b.at(3 * 60 * MINUTE) }],
        ['POST', `/api/appointments/${id}/cancel`, { reason: 'x' }],
        ['PUT', `/api/appointments/${id}/payment`, { paymentStatus: 'paid' }],
        ['GET', `/api/appointments/${id}/can-join`],
        ['POST', `/api/appointments/${id}/room`],
        ['GET', `/api/appointments/${id}/calendar.ics`],
      ];
      const none = '00000000-0000-4000-8000-000000000000';
      for (const who of [stranger, otherProvider]) {
        for (const [m, url, req] of routes(a.id)) {
          expect([m, url, outcome(await b.api(m, url, who, req))]).toEqual([
            m,
            url,
            '404 APPOINTMENT_NOT_FOUND',
          ]);
        }
      }
      for (const [m, url, req] of routes(none)) {
        expect([m, url, outcome(await b.api(m, url, provider, req))]).toEqual([
          m,
          url,
          '404 APPOINTMENT_NOT_FOUND',
        ]);
      }
      for (const [m, url, req] of [...routes(a.id), ['GET', '/api/appointments'] as const]) {
        expect([m, url, outcome(await b.api(m, url, guest, req))]).toEqual([
          m,
          url,
          '403 FORBIDDEN',
        ]);
      }
      // Nothing changed.
      expect(
        (await b.api('GET', `/api/appointments/${a.id}`, provider)).body.appointment,
      ).toMatchObject({
        status: 'scheduled',
        paymentStatus: 'pending',
        startsAt: a.startsAt,
      });
    });
  });

  describe('changes', () => {
    it('the provider confirms (the client cannot: 403); confirming twice is 409', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.bookViaApi(provider, client);
      expect(outcome(await b.api('POST', `/api/appointments/${a.id}/confirm`, client))).toBe(
        '403 FORBIDDEN',
      );
      expect((await b.did(provider, a.id, 'confirm')).status).toBe('confirmed');
      expect(outcome(await b.api('POST', `/api/appointments/${a.id}/confirm`, provider))).toBe(
        '409 INVALID_APPOINTMENT_STATE',
      );
      // An admin confirms too.
      const c = await b.bookViaApi(provider, await b.member(), { inMs: 3 * 60 * MINUTE });
      expect((await b.did(admin, c.id, 'confirm')).status).toBe('confirmed');
    });

    it('a reschedule (the provider) keeps the status, and the history keeps the old and the new time', async () => {
      const { provider, client } = await cast();
      const a = await b.bookViaApi(provider, client, { inMs: 60 * MINUTE, durationMinutes: 30 });
      await b.did(provider, a.id, 'confirm');
      const to = b.at(3 * 60 * MINUTE);
      expect(
        outcome(
          await b.api('POST', `/api/appointments/${a.id}/reschedule`, client, { startsAt: to }),
        ),
      ).toBe('403 FORBIDDEN');
      const res = await b.api('POST', `/api/appointments/${a.id}/reschedule`, provider, {
        startsAt: to,
        durationMinutes: 45,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.appointment).toMatchObject({
        status: 'confirmed',
        startsAt: to,
        durationMinutes: 45,
        endsAt: new Date(Date.parse(to) + 45 * MINUTE).toISOString(),
      });
      const detail = await b.api('GET', `/api/appointments/${a.id}`, client);
      const history = detail.body.history as AppointmentEvent[];
      expect(history.map((e) => e.kind)).toEqual(['created', 'confirmed', 'rescheduled']);
      expect(history[2]).toMatchObject({
        actor: { id: provider.id },
        details: { from: { startsAt: a.startsAt, endsAt: a.endsAt }, to: { startsAt: to } },
      });
      // Into the past, or onto the client's other booking: refused.
      expect(
        outcome(
          await b.api('POST', `/api/appointments/${a.id}/reschedule`, provider, {
            startsAt: b.at(-MINUTE),
          }),
        ),
      ).toBe('400 VALIDATION_FAILED');
      const other = await b.bookViaApi(provider, client, { inMs: 5 * 60 * MINUTE });
      expect(
        outcome(
          await b.api('POST', `/api/appointments/${a.id}/reschedule`, provider, {
            startsAt: other.startsAt,
          }),
        ),
      ).toBe('409 APPOINTMENT_CONFLICT');
      // Moving onto its own old slot is no conflict with itself.
      expect(
        (
          await b.api('POST', `/api/appointments/${a.id}/reschedule`, provider, {
            startsAt: b.at(3 * 60 * MINUTE + 10 * MINUTE),
          })
        ).status,
      ).toBe(200);
    });

    it('either party cancels with a reason, before the start only, and not twice (409)', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.bookViaApi(provider, client, { inMs: 10 * MINUTE });
      expect(outcome(await b.api('POST', `/api/appointments/${a.id}/cancel`, client, {}))).toBe(
        '400 VALIDATION_FAILED',
      );
      expect(
        outcome(await b.api('POST', `/api/appointments/${a.id}/cancel`, client, { reason: '  ' })),
      ).toBe('400 VALIDATION_FAILED');
      const cancelled = await b.did(client, a.id, 'cancel', { reason: 'Sick' });
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        cancelledBy: client.id,
        cancelReason: 'Sick',
        cancelledAt: b.clock.now().toISOString(),
      });
      expect(
        outcome(
          await b.api('POST', `/api/appointments/${a.id}/cancel`, provider, { reason: 'Again' }),
        ),
      ).toBe('409 INVALID_APPOINTMENT_STATE');
      expect(outcome(await b.api('POST', `/api/appointments/${a.id}/confirm`, provider))).toBe(
        '409 INVALID_APPOINTMENT_STATE',
      );

      // The provider and an admin may cancel too.
      const c = await b.bookViaApi(provider, client, { inMs: 30 * MINUTE });
      expect((await b.did(provider, c.id, 'cancel', { reason: 'Away' })).status).toBe('cancelled');
      const d = await b.bookViaApi(provider, client, { inMs: 50 * MINUTE });
      expect((await b.did(admin, d.id, 'cancel', { reason: 'Closed' })).status).toBe('cancelled');

      // Once started, it can no longer be cancelled (nor rescheduled).
      const e = await b.bookViaApi(provider, client, { inMs: 5 * MINUTE });
      b.clock.advance(5 * MINUTE);
      expect(
        outcome(
          await b.api('POST', `/api/appointments/${e.id}/cancel`, client, { reason: 'Late' }),
        ),
      ).toBe('409 INVALID_APPOINTMENT_STATE');
      expect(
        outcome(
          await b.api('POST', `/api/appointments/${e.id}/reschedule`, provider, {
            startsAt: b.at(60 * MINUTE),
          }),
        ),
      ).toBe('409 INVALID_APPOINTMENT_STATE');
    });

    it('only an admin sets the payment status: the parties get 403, a stranger 404', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.bookViaApi(provider, client);
      const put = (who: Person) =>
        b.api('PUT', `/api/appointments/${a.id}/payment`, who, { paymentStatus: 'paid' });
      expect(outcome(await put(provider))).toBe('403 FORBIDDEN');
      expect(outcome(await put(client))).toBe('403 FORBIDDEN');
      expect(outcome(await put(await b.member()))).toBe('404 APPOINTMENT_NOT_FOUND');
      expect(
        outcome(
          await b.api('PUT', `/api/appointments/${a.id}/payment`, admin, { paymentStatus: 'free' }),
        ),
      ).toBe('400 VALIDATION_FAILED');
      expect((await b.pay(admin, a.id, 'waived')).paymentStatus).toBe('waived');
      const detail = await b.api('GET', `/api/appointments/${a.id}`, provider);
      expect((detail.body.history as AppointmentEvent[]).at(-1)).toMatchObject({
        kind: 'payment',
        actor: { id: admin.id },
        details: { from: 'pending', to: 'waived' },
      });
    });
  });

  describe('joining', () => {
    const canJoin = async (who: Person, id: string) => {
      const res = await b.api('GET', `/api/appointments/${id}/can-join`, who);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as CanJoinResponse;
    };

    it('can-join follows the window to the millisecond: opensAt − 1 ms TOO_EARLY, opensAt and closesAt yes, closesAt + 1 ms TOO_LATE', async () => {
      const { admin, provider, client } = await cast();
      // Starts in 6 min for 5 min; the window is [start − 5 min, start + 5 min].
      const a = await b.ready(admin, provider, client, { inMs: 6 * MINUTE, durationMinutes: 5 });
      const start = Date.parse(a.startsAt);
      const opensAt = start - 5 * MINUTE;
      const closesAt = start + 5 * MINUTE;
      expect([a.opensAt, a.closesAt]).toEqual(
        [opensAt, closesAt].map((t) => new Date(t).toISOString()),
      );

      const at = async (t: number) => {
        b.clock.set(new Date(t));
        const [p, c] = [await canJoin(provider, a.id), await canJoin(client, a.id)];
        expect(c).toEqual(p);
        return p;
      };
      expect(await at(opensAt - 1)).toMatchObject({
        canJoin: false,
        reason: 'TOO_EARLY',
        // 5 min and 1 ms, rounded up.
        minutesUntilStart: 6,
        serverTime: opensAt - 1,
      });
      expect(await at(opensAt)).toEqual({
        canJoin: true,
        reason: null,
        opensAt: a.opensAt,
        closesAt: a.closesAt,
        minutesUntilStart: 5,
        status: 'confirmed',
        paymentStatus: 'paid',
        serverTime: opensAt,
      });
      expect(await at(start)).toMatchObject({ canJoin: true, minutesUntilStart: 0 });
      expect(await at(closesAt)).toMatchObject({
        canJoin: true,
        reason: null,
        minutesUntilStart: -5,
      });
      expect(await at(closesAt + 1)).toMatchObject({ canJoin: false, reason: 'TOO_LATE' });
    });

    it('can-join says why not: not confirmed, not paid, cancelled; an admin is no participant unless the practice allows', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.bookViaApi(provider, client, { inMs: 2 * MINUTE });
      expect(await canJoin(client, a.id)).toMatchObject({
        canJoin: false,
        reason: 'NOT_CONFIRMED',
        status: 'scheduled',
      });
      await b.did(provider, a.id, 'confirm');
      expect(await canJoin(client, a.id)).toMatchObject({
        canJoin: false,
        reason: 'NOT_PAID',
        paymentStatus: 'pending',
      });
      await b.pay(admin, a.id, 'refunded');
      expect(await canJoin(provider, a.id)).toMatchObject({ reason: 'NOT_PAID' });
      await b.pay(admin, a.id, 'paid');
      expect(await canJoin(client, a.id)).toMatchObject({ canJoin: true, reason: null });
      expect(await canJoin(admin, a.id)).toMatchObject({
        canJoin: false,
        reason: 'NOT_A_PARTICIPANT',
      });
      expect(outcome(await b.api('POST', `/api/appointments/${a.id}/room`, admin))).toBe(
        '403 APPOINTMENT_NOT_JOINABLE',
      );
      await b.did(client, a.id, 'cancel', { reason: 'Changed my mind' });
      expect(await canJoin(provider, a.id)).toMatchObject({
        canJoin: false,
        reason: 'CANCELLED',
        status: 'cancelled',
      });
    });

    it('the room: refused outside the window with the reason; inside, the same room every time, even asked twice at once', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.ready(admin, provider, client, { inMs: 10 * MINUTE });
      const early = await b.api('POST', `/api/appointments/${a.id}/room`, client);
      expect(outcome(early)).toBe('403 APPOINTMENT_NOT_JOINABLE');
      expect(early.body.error).toMatchObject({ details: { reason: 'TOO_EARLY' } });

      b.clock.set(new Date(Date.parse(a.opensAt)));
      const [one, two] = await Promise.all([
        b.api('POST', `/api/appointments/${a.id}/room`, provider),
        b.api('POST', `/api/appointments/${a.id}/room`, client),
      ]);
      expect([one.status, two.status]).toEqual([200, 200]);
      expect(two.body.room).toEqual(one.body.room);
      const again = await b.api('POST', `/api/appointments/${a.id}/room`, client);
      expect(again.body.room).toEqual(one.body.room);
      const rooms = await b.db
        .selectFrom('rooms')
        .select(['id', 'kind', 'max_participants'])
        .where('kind', '=', 'appointment')
        .where('host_id', 'in', [provider.id, client.id])
        .execute();
      expect(rooms).toEqual([
        { id: (one.body.room as { id: string }).id, kind: 'appointment', max_participants: 3 },
      ]);
      const detail = await b.api('GET', `/api/appointments/${a.id}`, client);
      expect((detail.body.appointment as Appointment).room).toEqual(one.body.room);
    });

    it('a session in progress keeps its room; once that room has closed, no new room replaces it: 409 INVALID_APPOINTMENT_STATE', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.ready(admin, provider, client, { inMs: 2 * MINUTE });
      const first = await b.api('POST', `/api/appointments/${a.id}/room`, provider);
      expect(first.status).toBe(200);
      const room = first.body.room as { id: string; code: string };
      // In progress (as when both parties were in), set behind the API's back.
      await b.db
        .updateTable('appointments')
        .set({ status: 'in_progress', call_started_at: b.at(0) })
        .where('id', '=', a.id)
        .execute();
      const same = await b.api('POST', `/api/appointments/${a.id}/room`, client);
      expect(same.body.room).toEqual(room);

      expect(await b.s.t.services.rooms.close(room.id, 'ended', null, SYSTEM_CONTEXT)).toBe(true);
      for (const who of [provider, client]) {
        const res = await b.api('POST', `/api/appointments/${a.id}/room`, who);
        expect(outcome(res), JSON.stringify(res.body)).toBe('409 INVALID_APPOINTMENT_STATE');
        expect(res.body.error).toMatchObject({ details: { status: 'in_progress' } });
      }
      const row = await b.db
        .selectFrom('appointments')
        .select(['room_id', 'status'])
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ room_id: room.id, status: 'in_progress' });
      const rooms = await b.db
        .selectFrom('rooms')
        .select('id')
        .where('kind', '=', 'appointment')
        .where('host_id', '=', provider.id)
        .execute();
      expect(rooms).toEqual([{ id: room.id }]);
    });
  });

  describe('races (both dialects: row locks on PostgreSQL, one writer on SQLite)', () => {
    const history = async (who: Person, id: string) => {
      const res = await b.api('GET', `/api/appointments/${id}`, who);
      expect(res.status).toBe(200);
      return {
        status: (res.body.appointment as Appointment).status,
        kinds: (res.body.history as AppointmentEvent[]).map((e) => e.kind),
      };
    };

    it('cancel vs opening the room at once: the room is opened and then closed by the cancel, or not opened; never a cancelled appointment with an open room', async () => {
      for (let round = 0; round < 4; round++) {
        const { admin, provider, client } = await cast();
        const a = await b.ready(admin, provider, client, { inMs: 2 * MINUTE });
        const [opened, cancelled] = await Promise.all([
          b.api('POST', `/api/appointments/${a.id}/room`, provider),
          b.api('POST', `/api/appointments/${a.id}/cancel`, client, { reason: 'Race' }),
        ]);
        expect(outcome(cancelled)).toBe('200');
        expect(['200', '403 APPOINTMENT_NOT_JOINABLE']).toContain(outcome(opened));
        if (opened.status === 403)
          expect(opened.body.error).toMatchObject({ details: { reason: 'CANCELLED' } });
        const rooms = await b.db
          .selectFrom('rooms')
          .select(['id', 'status'])
          .where('kind', '=', 'appointment')
          .where('host_id', '=', provider.id)
          .execute();
        // The room the open answered with (if any) is the only one, and it is closed.
        expect(rooms).toEqual(
          opened.status === 200
            ? [{ id: (opened.body.room as { id: string }).id, status: 'closed' }]
            : [],
        );
        expect(await history(client, a.id)).toEqual({
          status: 'cancelled',
          kinds: ['created', 'confirmed', 'payment', 'cancelled'],
        });
      }
    });

    it('cancel vs confirm at once: one order wins, and the history tells that order (confirmed then cancelled, or cancelled and the confirm 409)', async () => {
      for (let round = 0; round < 4; round++) {
        const { provider, client } = await cast();
        const a = await b.bookViaApi(provider, client);
        const [confirmed, cancelled] = await Promise.all([
          b.api('POST', `/api/appointments/${a.id}/confirm`, provider),
          b.api('POST', `/api/appointments/${a.id}/cancel`, client, { reason: 'Race' }),
        ]);
        // A cancel applies to a confirmed appointment too, so it always wins in the end.
        expect(outcome(cancelled)).toBe('200');
        const legal =
          outcome(confirmed) === '200'
            ? { status: 'cancelled', kinds: ['created', 'confirmed', 'cancelled'] }
            : { status: 'cancelled', kinds: ['created', 'cancelled'] };
        expect(['200', '409 INVALID_APPOINTMENT_STATE']).toContain(outcome(confirmed));
        expect(await history(provider, a.id)).toEqual(legal);
        expect((cancelled.body.appointment as Appointment).status).toBe('cancelled');
      }
    });
  });

  describe('calendar', () => {
    it('provider, client and admin download an .ics with the join link, never the notes; strangers 404', async () => {
      const { admin, provider, client } = await cast();
      const a = await b.bookViaApi(provider, client, {
        title: 'Check-in; week 3',
        notes: 'SECRET-NOTE',
      });
      for (const who of [provider, client, admin]) {
        const res = await b.s.t.app.inject({
          method: 'GET',
          url: `/api/appointments/${a.id}/calendar.ics`,
          headers: { authorization: `Bearer ${who.token}` },
        });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
        expect(res.headers['content-disposition']).toBe(
          `attachment; filename="appointment-${a.id}.ics"`,
        );
        const text = res.body;
        expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
        expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
        const unfolded = text.replace(/\r\n /g, '');
        expect(unfolded).toContain(`UID:${a.id}@parley\r\n`);
        expect(unfolded).toContain('SUMMARY:Check-in\\; week 3\r\n');
        expect(unfolded).toContain(`URL:http://parley.test/appointments/${a.id}\r\n`);
        expect(unfolded).toContain(`http://parley.test/appointments/${a.id}`);
        expect(unfolded).toContain(
          `DTSTART:${a.startsAt.replace(/[-:]/g, '').replace(/\.\d{3}/, '')}\r\n`,
        );
        expect(unfolded).toContain('SEQUENCE:0\r\n');
        expect(unfolded).toContain('STATUS:TENTATIVE\r\n');
        expect(text).not.toContain('SECRET-NOTE');
      }
      const stranger = await b.member();
      expect(outcome(await b.api('GET', `/api/appointments/${a.id}/calendar.ics`, stranger))).toBe(
        '404 APPOINTMENT_NOT_FOUND',
      );
    });

    it('a reschedule bumps SEQUENCE; a cancellation says STATUS:CANCELLED', async () => {
      const { provider, client } = await cast();
      const a = await b.bookViaApi(provider, client);
      const ics = async () =>
        (
          await b.s.t.app.inject({
            method: 'GET',
            url: `/api/appointments/${a.id}/calendar.ics`,
            headers: { authorization: `Bearer ${client.token}` },
          })
        ).body;
      for (const h of [2, 3]) {
        const res = await b.api('POST', `/api/appointments/${a.id}/reschedule`, provider, {
          startsAt: b.at(h * 60 * MINUTE),
        });
        expect(res.status).toBe(200);
      }
      expect(await ics()).toContain('SEQUENCE:2\r\n');
      await b.did(client, a.id, 'cancel', { reason: 'No longer needed' });
      expect(await ics()).toContain('STATUS:CANCELLED\r\n');
    });
  });

  describe('live notices', () => {
    it("every change reaches the other party's socket as appointment.updated, in their own view", async () => {
      const { admin, provider, client } = await cast();
      const [p, c] = [await b.connect(provider), await b.connect(client)];
      const next = (sock: typeof p, id: string, status: string) =>
        sock.next('appointment.updated', {
          match: (m) => m.appointment.id === id && m.appointment.status === status,
        });

      const a = await b.bookViaApi(provider, client, { notes: 'only mine' });
      const booked = await c.next('appointment.updated', {
        match: (m) => m.appointment.id === a.id,
      });
      expect(booked.appointment).toMatchObject({
        myRole: 'client',
        notes: null,
        status: 'scheduled',
      });

      const confirmed = next(c, a.id, 'confirmed');
      await b.did(provider, a.id, 'confirm');
      expect((await confirmed).appointment).toMatchObject({ myRole: 'client', notes: null });

      const paid = c.next('appointment.updated', {
        match: (m) => m.appointment.paymentStatus === 'paid',
      });
      await b.pay(admin, a.id);
      expect((await paid).appointment.id).toBe(a.id);

      const cancelled = next(p, a.id, 'cancelled');
      await b.did(client, a.id, 'cancel', { reason: 'Sorry' });
      expect((await cancelled).appointment).toMatchObject({
        myRole: 'provider',
        notes: 'only mine',
        cancelReason: 'Sorry',
      });
    });
  });
});
