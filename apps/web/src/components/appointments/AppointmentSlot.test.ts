// @vitest-environment happy-dom
import type { AppointmentDetailResponse } from '@parley/protocol';
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeAppointment } from '../../appointments/testing/fixtures';
import { ClockOffset } from '../../calls';
import { mountWithApp } from '../../testing/mount-app';
import AppointmentSlot from './AppointmentSlot.vue';

const MIN = 60_000;
// Booked 10:00–10:50 (server time); the server says it is 10:20 when the call is joined.
const appointment = makeAppointment({ startsAt: '2025-06-01T10:00:00.000Z' });
const SERVER_NOW = Date.parse('2025-06-01T10:20:00.000Z');
// This device's clock is 10 minutes slow.
const DEVICE_NOW = SERVER_NOW - 10 * MIN;

beforeEach(() => {
  // Only the device's clock and the 1 s ticker are faked; promises settle as usual.
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.setSystemTime(DEVICE_NOW);
  const body: AppointmentDetailResponse = { appointment, history: [] };
  vi.stubGlobal('fetch', () =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      }),
    ),
  );
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

/** The call's clock estimate as CallView passes it: room.joined's serverTime, taken on receipt. */
function joinedCallClock(): ClockOffset {
  const clock = new ClockOffset();
  clock.sample(SERVER_NOW, Date.now());
  return clock;
}

const text = (w: Awaited<ReturnType<typeof mountWithApp>>['wrapper'], id: string) =>
  w.find(`[data-testid="${id}"]`).exists() ? w.get(`[data-testid="${id}"]`).text() : null;

describe('AppointmentSlot', () => {
  it('counts the time left on the server’s clock, not the device’s (10 min slow here)', async () => {
    const clock = joinedCallClock();
    const { wrapper } = await mountWithApp(AppointmentSlot, {
      props: { appointmentId: appointment.id, serverOffset: () => clock.offset },
    });
    await flushPromises();
    // By the device's own clock it would read 40:00.
    expect(text(wrapper, 'slot-time-left')).toBe('30:00 left');
    expect(text(wrapper, 'slot-warning')).toBeNull();

    // 25 minutes on: 5 left by the server's clock, so the gentle warning shows.
    vi.advanceTimersByTime(25 * MIN);
    await flushPromises();
    expect(text(wrapper, 'slot-time-left')).toBe('5:00 left');
    expect(text(wrapper, 'slot-warning')).not.toBeNull();

    vi.advanceTimersByTime(5 * MIN);
    await flushPromises();
    expect(wrapper.get('[data-testid="slot-time-left"]').attributes('data-over')).toBe('true');
  });

  it('without a clock estimate it falls back to the device’s clock', async () => {
    const { wrapper } = await mountWithApp(AppointmentSlot, {
      props: { appointmentId: appointment.id },
    });
    await flushPromises();
    expect(text(wrapper, 'slot-time-left')).toBe('40:00 left');
  });
});
