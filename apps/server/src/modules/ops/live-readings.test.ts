import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { RosterTotals } from '../../platform/live/index.js';
import { createMetrics } from '../../platform/metrics.js';
import { ROSTER_READ_TIMEOUT_MS, TOTALS_FRESH_MS, createLiveReadings } from './live-readings.js';

// The live gauges come from the shared roster when asked. A scrape must answer when the
// roster (Redis) does not: after a bounded wait on the app's timers, with the last totals.

const quietLog = { warn: () => undefined } as unknown as FastifyBaseLogger;

function setup(totals: () => Promise<RosterTotals>) {
  const clock = new ManualClock();
  const metrics = createMetrics({ defaultMetrics: false });
  const readings = createLiveReadings({
    metrics,
    roster: { totals },
    timers: clock,
    log: quietLog,
  });
  return { clock, metrics, readings };
}

const gauge = async (g: { get(): Promise<{ values: { value: number }[] }> }) =>
  (await g.get()).values[0]?.value;

describe('live readings', () => {
  it('set the rooms and participants gauges from the roster, and report this process sockets', async () => {
    const { metrics, readings } = setup(() =>
      Promise.resolve({ rooms: 3, participants: 7, usersOnline: 9 }),
    );
    metrics.wsConnections.inc(4);
    expect(await readings.read()).toEqual({
      rooms: 3,
      participants: 7,
      usersOnline: 9,
      sockets: 4,
    });
    expect(await gauge(metrics.roomsActive)).toBe(3);
    expect(await gauge(metrics.participantsActive)).toBe(7);
  });

  it('a roster that does not answer holds a read up only until the timeout, then the last totals stand', async () => {
    let hang = false;
    const { clock, readings } = setup(() =>
      hang
        ? new Promise<RosterTotals>(() => undefined)
        : Promise.resolve({ rooms: 2, participants: 5, usersOnline: 6 }),
    );
    await readings.read();
    hang = true;
    clock.advance(TOTALS_FRESH_MS);
    let answered: unknown;
    const pending = readings.read().then((r) => (answered = r));
    await clock.tick(ROSTER_READ_TIMEOUT_MS - 1);
    expect(answered).toBeUndefined();
    await clock.tick(1);
    await pending;
    expect(answered).toEqual({ rooms: 2, participants: 5, usersOnline: 6, sockets: 0 });
    expect(clock.pending()).toBe(0); // no timer left behind
  });

  it('readings within TOTALS_FRESH_MS share one roster read (overlapping ones too); the next one after it reads again', async () => {
    let reads = 0;
    const { clock, metrics, readings } = setup(() => {
      reads++;
      return Promise.resolve({ rooms: reads, participants: reads, usersOnline: reads });
    });
    const [first, second] = await Promise.all([readings.read(), readings.read()]);
    expect(reads).toBe(1);
    expect(second).toEqual(first);
    clock.advance(TOTALS_FRESH_MS - 1);
    metrics.wsConnections.inc(); // this process's sockets are its own, never reused
    expect(await readings.read()).toEqual({
      rooms: 1,
      participants: 1,
      usersOnline: 1,
      sockets: 1,
    });
    expect(reads).toBe(1);
    clock.advance(1);
    expect((await readings.read()).rooms).toBe(2);
    expect(reads).toBe(2);
    expect(await gauge(metrics.roomsActive)).toBe(2);
  });

  it('a fresh reading (the admin overview) reads the roster now, and later readings reuse it', async () => {
    let reads = 0;
    const { readings } = setup(() => {
      reads++;
      return Promise.resolve({ rooms: reads, participants: reads, usersOnline: reads });
    });
    await readings.read();
    expect((await readings.read({ fresh: true })).usersOnline).toBe(2);
    expect((await readings.read()).usersOnline).toBe(2);
    expect(reads).toBe(2);
  });

  it('a roster that fails is reported with the last totals (zero before any)', async () => {
    const { clock, readings } = setup(() => Promise.reject(new Error('ECONNREFUSED')));
    expect(await readings.read()).toEqual({
      rooms: 0,
      participants: 0,
      usersOnline: 0,
      sockets: 0,
    });
    expect(clock.pending()).toBe(0);
  });
});
