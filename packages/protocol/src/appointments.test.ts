import { describe, expect, it } from 'vitest';
import {
  APPOINTMENT_LIMITS,
  CancelAppointmentBody,
  CreateAppointmentBody,
  ListAppointmentsQuery,
  PaymentWebhookEvent,
  RescheduleAppointmentBody,
} from './appointments.js';

const CLIENT = '0b8f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const valid = {
  clientId: CLIENT,
  startsAt: '2027-03-14T03:05:00-04:00',
  durationMinutes: 50,
  title: 'Weekly session',
};

describe('appointment bodies', () => {
  it('take a start with any offset, and keep it as written', () => {
    for (const startsAt of [
      '2027-03-14T07:05:00Z',
      '2027-03-14T03:05:00-04:00',
      '2027-03-14T12:35:00.000+05:30',
    ]) {
      expect(CreateAppointmentBody.parse({ ...valid, startsAt }).startsAt).toBe(startsAt);
    }
  });

  it('refuse a local time without an offset: it names no instant', () => {
    expect(
      CreateAppointmentBody.safeParse({ ...valid, startsAt: '2027-03-14T03:05:00' }).success,
    ).toBe(false);
    expect(RescheduleAppointmentBody.safeParse({ startsAt: '2027-03-14 03:05' }).success).toBe(
      false,
    );
  });

  it('refuse durations outside the limits, unknown fields and an empty title', () => {
    const bad = [
      { ...valid, durationMinutes: APPOINTMENT_LIMITS.minDurationMinutes - 1 },
      { ...valid, durationMinutes: APPOINTMENT_LIMITS.maxDurationMinutes + 1 },
      { ...valid, durationMinutes: 50.5 },
      { ...valid, title: '   ' },
      { ...valid, title: 'x'.repeat(APPOINTMENT_LIMITS.titleMaxLength + 1) },
      { ...valid, notes: 'x'.repeat(APPOINTMENT_LIMITS.notesMaxLength + 1) },
      { ...valid, status: 'confirmed' },
      { ...valid, clientId: 'not-a-uuid' },
    ];
    for (const body of bad) expect(CreateAppointmentBody.safeParse(body).success).toBe(false);
  });

  it('need a reason to cancel', () => {
    expect(CancelAppointmentBody.safeParse({}).success).toBe(false);
    expect(CancelAppointmentBody.safeParse({ reason: ' ' }).success).toBe(false);
    expect(CancelAppointmentBody.parse({ reason: ' Ill ' }).reason).toBe('Ill');
  });

  it('default the list to upcoming, 20 at a time, and cap the page size', () => {
    expect(ListAppointmentsQuery.parse({})).toEqual({ when: 'upcoming', limit: 20 });
    expect(ListAppointmentsQuery.safeParse({ limit: '51' }).success).toBe(false);
  });
});

describe('payment webhook events', () => {
  it('accept the documented shape only', () => {
    const event = { id: 'evt_1', type: 'payment.succeeded', appointmentId: CLIENT };
    expect(PaymentWebhookEvent.parse(event)).toEqual(event);
    for (const bad of [
      { ...event, type: 'payment.stolen' },
      { ...event, amount: 10 },
      { ...event, id: '' },
      { type: event.type, appointmentId: CLIENT },
    ]) {
      expect(PaymentWebhookEvent.safeParse(bad).success).toBe(false);
    }
  });
});
