import { describe, expect, it } from 'vitest';
import { actionsFor, joinButtonFor } from './actions';
import { makeAppointment } from './testing/fixtures';

const START = '2025-06-01T10:00:00.000Z';
const BEFORE = Date.parse(START) - 60_000;
const AFTER = Date.parse(START) + 60_000;

describe('actionsFor', () => {
  it('the provider confirms, reschedules and cancels a scheduled appointment before it starts', () => {
    const a = makeAppointment({ startsAt: START, status: 'scheduled', paymentStatus: 'pending' });
    expect(actionsFor(a, false, BEFORE)).toEqual({
      confirm: true,
      reschedule: true,
      cancel: true,
      markPaid: false,
      waive: false,
    });
  });

  it('the client may only cancel, and nobody changes it once it started', () => {
    const a = makeAppointment({ startsAt: START, myRole: 'client' });
    expect(actionsFor(a, false, BEFORE)).toMatchObject({
      confirm: false,
      reschedule: false,
      cancel: true,
    });
    expect(actionsFor(a, false, AFTER)).toMatchObject({ reschedule: false, cancel: false });
  });

  it('only admins settle a pending payment', () => {
    const a = makeAppointment({ startsAt: START, myRole: 'admin', paymentStatus: 'pending' });
    expect(actionsFor(a, true, BEFORE)).toMatchObject({ markPaid: true, waive: true });
    expect(actionsFor({ ...a, paymentStatus: 'paid' }, true, BEFORE)).toMatchObject({
      markPaid: false,
      waive: false,
    });
  });

  it('nothing to do with a cancelled appointment', () => {
    const a = makeAppointment({ startsAt: START, status: 'cancelled' });
    expect(actionsFor(a, true, BEFORE)).toMatchObject({
      confirm: false,
      reschedule: false,
      cancel: false,
    });
  });
});

describe('joinButtonFor', () => {
  it('a party always gets the button (the server says why not)', () => {
    for (const myRole of ['provider', 'client'] as const) {
      expect(joinButtonFor(makeAppointment({ myRole, paymentStatus: 'pending' }))).toBe('always');
    }
  });

  it('an admin only when can-join lets them in, and only for confirmed, settled appointments', () => {
    const admin = (over: Parameters<typeof makeAppointment>[0]) =>
      joinButtonFor(makeAppointment({ myRole: 'admin', ...over }));
    expect(admin({ status: 'confirmed', paymentStatus: 'paid' })).toBe('whenJoinable');
    expect(admin({ status: 'in_progress', paymentStatus: 'waived' })).toBe('whenJoinable');
    expect(admin({ status: 'scheduled', paymentStatus: 'paid' })).toBe('never');
    expect(admin({ status: 'confirmed', paymentStatus: 'pending' })).toBe('never');
    expect(admin({ status: 'completed', paymentStatus: 'paid' })).toBe('never');
  });
});
