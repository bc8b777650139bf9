import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import { AppointmentsServer, MINUTE, SHORT_WINDOW } from '../appointments/test-appointments.js';
import type { Party } from '../appointments/test-appointments.js';
import { entries, only } from './test-audit.js';

// Appointments write their audit entries after each change commits: booking, status
// changes (by a person, by the socket layer, by the upkeep), reschedules, payment changes
// (by an admin, by the provider's webhook) and every refused webhook call.

const HOUR = 60 * MINUTE;

describe.each(dialects)('audit of appointments on %s', (dialect) => {
  let a: AppointmentsServer;
  let admin: Party;
  let provider: Party;

  beforeAll(async () => {
    a = await AppointmentsServer.start(dialect, SHORT_WINDOW);
  });
  afterEach(async () => {
    await a.closeClients();
  });
  afterAll(async () => {
    await a.close();
  });

  /** A fresh provider and client each time (tokens outlive no fake-clock jump). */
  async function people() {
    admin = await a.admin();
    provider = await a.provider(admin);
    return { client: await a.member('client') };
  }
  const about = (id: string) => entries(a.db, { targetId: id });

  it('booking, confirming, paying, rescheduling and cancelling are each recorded once, by whoever did it', async () => {
    const { client } = await people();
    const booked = await a.bookViaApi(provider, client, { inMs: 2 * HOUR });
    await a.did(provider, booked.id, 'confirm');
    await a.pay(admin, booked.id, 'paid');
    const newStart = a.at(3 * HOUR);
    const moved = await a.api('POST', `/api/appointments/${booked.id}/reschedule`, provider, {
      startsAt: newStart,
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const reason = 'Feeling unwell: migraine since Tuesday';
    await a.did(client, booked.id, 'cancel', { reason });

    const log = await about(booked.id);
    expect(log.map((e) => [e.type, e.actorId])).toEqual([
      ['appointment.created', provider.id],
      ['appointment.status_changed', provider.id],
      ['appointment.payment_changed', admin.id],
      ['appointment.rescheduled', provider.id],
      ['appointment.status_changed', client.id],
    ]);
    expect(log.map((e) => e.targetType)).toEqual(Array(5).fill('appointment'));
    expect(log[0]!.details).toMatchObject({ startsAt: booked.startsAt });
    expect(log[1]!.details).toEqual({ status: 'confirmed' });
    expect(log[2]!.details).toEqual({ from: 'pending', to: 'paid', source: 'admin' });
    expect(log[3]!.details).toMatchObject({
      from: { startsAt: booked.startsAt },
      to: { startsAt: newStart },
    });
    expect(log[4]!.details).toEqual({ status: 'cancelled' });
    // What a person wrote about themselves stays in the appointment, not in the log.
    expect(log[4]!.raw).not.toContain('migraine');
    // Over HTTP: the request's address.
    expect(log.every((e) => e.ip === '127.0.0.1')).toBe(true);
  });

  it('a refused change records nothing (the transaction rolled back)', async () => {
    const { client } = await people();
    const booked = await a.bookViaApi(provider, client, { inMs: 2 * HOUR });
    const other = await a.bookViaApi(provider, client, { inMs: 4 * HOUR });
    // Onto the other booking's slot: 409, nothing moved.
    const clash = await a.api('POST', `/api/appointments/${booked.id}/reschedule`, provider, {
      startsAt: other.startsAt,
    });
    expect(clash.status).toBe(409);
    expect((await about(booked.id)).map((e) => e.type)).toEqual(['appointment.created']);
  });

  it('the call starting, reported by the socket, is recorded with that socket’s address and agent', async () => {
    const { client } = await people();
    const id = await a.book({ provider, client });
    const roomId = await a.openRoom(id);
    const agents = new Map([
      [provider.id, 'ParleyDesktop/1 (provider)'],
      [client.id, 'ParleyMobile/2 (client)'],
    ]);
    for (const who of [provider, client]) {
      expect((await a.api('POST', `/api/rooms/${roomId}/join`, who, {})).status).toBe(200);
      const socket = await a.s.open({ headers: { 'user-agent': agents.get(who.id)! } });
      socket.send({ type: 'hello', token: who.token, protocolVersion: PROTOCOL_VERSION });
      await socket.next('welcome');
      await socket.join(roomId);
    }
    // The second arrival starts it: their socket's request context.
    expect(await only(a.db, 'appointment.status_changed', id)).toMatchObject({
      actorId: null,
      ip: '127.0.0.1',
      userAgent: agents.get(client.id),
      details: { status: 'in_progress' },
    });
  });

  it('the upkeep completing a call and marking a no-show records both, by nobody', async () => {
    const { client } = await people();
    const done = await a.book({
      provider,
      client,
      status: 'in_progress',
      startsAt: new Date(a.clock.now().getTime() - 10 * MINUTE),
    });
    const missed = await a.book({
      provider,
      client,
      startsAt: new Date(a.clock.now().getTime() - 3 * HOUR),
      durationMinutes: 30,
    });
    await a.tick();
    await a.tick();
    const completed = await only(a.db, 'appointment.status_changed', done);
    expect(completed).toMatchObject({
      actorId: null,
      ip: null,
      userAgent: null,
      details: { status: 'completed', reason: 'everyone-left' },
    });
    expect(await only(a.db, 'appointment.status_changed', missed)).toMatchObject({
      actorId: null,
      details: { status: 'no_show', providerJoined: false, clientJoined: false },
    });
  });

  it('a webhook payment records the change by nobody, with the event id and the sender', async () => {
    const { client } = await people();
    const id = await a.book({ provider, client, paymentStatus: 'pending' });
    const eventId = `evt_${randomUUID()}`;
    const res = await a.webhook(
      { id: eventId, type: 'payment.succeeded', appointmentId: id },
      { headers: { 'user-agent': 'PayProvider-Hooks/3' } },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await only(a.db, 'appointment.payment_changed', id)).toMatchObject({
      actorId: null,
      ip: '127.0.0.1',
      userAgent: 'PayProvider-Hooks/3',
      details: {
        from: 'pending',
        to: 'paid',
        source: 'webhook',
        eventId,
        eventType: 'payment.succeeded',
      },
    });
  });

  it('every refused webhook call is recorded once with its reason, never its signature', async () => {
    const { client } = await people();
    const id = await a.book({ provider, client, paymentStatus: 'pending' });
    const before = (await entries(a.db, { type: 'webhook.refused' })).length;
    const forged = `v1=${'ab'.repeat(32)}`;
    const event = { id: `evt_${randomUUID()}`, type: 'payment.succeeded', appointmentId: id };

    const refusals = [
      await a.webhook(event, { signature: forged }),
      await a.webhook(event, { timestamp: Math.floor(a.clock.now().getTime() / 1000) - 3600 }),
      await a.webhook({ ...event, appointmentId: randomUUID() }),
      await a.webhook(event), // accepted
      await a.webhook(event), // the same event again
      await a.webhook('not json', { headers: { 'content-type': 'text/plain' } }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 404, 200, 409, 415]);

    const refused = (await entries(a.db, { type: 'webhook.refused' })).slice(before);
    expect(refused.map((e) => [e.details.statusCode, e.details.code])).toEqual([
      [401, 'WEBHOOK_SIGNATURE_INVALID'],
      [401, 'WEBHOOK_TIMESTAMP_STALE'],
      [404, 'APPOINTMENT_NOT_FOUND'],
      [409, 'WEBHOOK_REPLAYED'],
      [415, expect.any(String)],
    ]);
    // An unsigned body names nothing; a signed one names its event and appointment.
    expect(refused[0]).toMatchObject({ actorId: null, targetId: null, ip: '127.0.0.1' });
    expect(refused[0]!.details).not.toHaveProperty('eventId');
    expect(refused[3]).toMatchObject({
      targetType: 'appointment',
      targetId: id,
      details: { eventId: event.id, eventType: 'payment.succeeded' },
    });
    for (const e of refused) expect(e.raw).not.toContain(forged.slice(3));
  });
});
