import type { CanJoinResponse, JoinBlockReason } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { JoinGate } from './join-gate';
import { FakeClock } from './testing/fake-clock';

const MIN = 60_000;
const START = Date.parse('2025-06-01T10:00:00.000Z');
const OPENS = START - 15 * MIN;
const CLOSES = START + 120 * MIN;

/** A server whose clock runs `skewMs` ahead of the device's, answering like the real rules. */
function fakeServer(clock: FakeClock, skewMs: number, blocked: JoinBlockReason | null = null) {
  const asked: number[] = [];
  const check = (): Promise<CanJoinResponse> => {
    const now = clock.now() + skewMs;
    asked.push(now);
    const reason: JoinBlockReason | null =
      blocked ?? (now < OPENS ? 'TOO_EARLY' : now >= CLOSES ? 'TOO_LATE' : null);
    return Promise.resolve({
      canJoin: reason === null,
      reason,
      opensAt: new Date(OPENS).toISOString(),
      closesAt: new Date(CLOSES).toISOString(),
      minutesUntilStart: Math.ceil((START - now) / MIN),
      status: 'confirmed',
      paymentStatus: 'paid',
      serverTime: now,
    });
  };
  return { check, asked };
}

/** Lets the promise chain of a refresh settle. */
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('JoinGate', () => {
  it('too early: counts down on the server’s clock even when the device’s is 10 min off', async () => {
    // The device thinks it is 10 min earlier than it is; the server knows better.
    const clock = new FakeClock(OPENS - 3 * MIN - 10 * MIN);
    const server = fakeServer(clock, 10 * MIN);
    const gate = new JoinGate({ check: server.check, clock });
    await gate.refresh();
    expect(gate.state).toMatchObject({ kind: 'waiting', msLeft: 3 * MIN });
    clock.advance(61_000);
    expect(gate.state).toMatchObject({ kind: 'waiting', msLeft: 3 * MIN - 61_000 });
  });

  it('when the countdown reaches zero it asks the server again, and becomes joinable', async () => {
    const clock = new FakeClock(OPENS - 5_000);
    const server = fakeServer(clock, 0);
    const gate = new JoinGate({ check: server.check, clock });
    await gate.refresh();
    expect(server.asked).toHaveLength(1);
    clock.advance(4_000);
    expect(server.asked).toHaveLength(1);
    clock.advance(1_000);
    await settle();
    expect(server.asked).toHaveLength(2);
    expect(gate.state).toMatchObject({ kind: 'joinable', closesAt: CLOSES });
  });

  it('a server that still says too early is asked again only after a pause', async () => {
    const clock = new FakeClock(OPENS - 1_000);
    // At the countdown's end the server still says too early (it decides, not the countdown).
    let lie = true;
    const server = fakeServer(clock, 0);
    const gate = new JoinGate({
      check: async () => {
        const a = await server.check();
        return lie ? { ...a, canJoin: false, reason: 'TOO_EARLY' } : a;
      },
      clock,
      recheckMs: 5_000,
    });
    await gate.refresh();
    clock.advance(1_000);
    await settle();
    expect(server.asked).toHaveLength(2);
    clock.advance(3_000);
    await settle();
    expect(server.asked).toHaveLength(2);
    lie = false;
    clock.advance(2_000);
    await settle();
    expect(server.asked).toHaveLength(3);
    expect(gate.state.kind).toBe('joinable');
  });

  it('joinable until the window closes, then asks again and shows why not', async () => {
    const clock = new FakeClock(CLOSES - 2_000);
    const server = fakeServer(clock, 0);
    const gate = new JoinGate({ check: server.check, clock });
    await gate.refresh();
    expect(gate.state.kind).toBe('joinable');
    clock.advance(2_000);
    await settle();
    expect(gate.state).toMatchObject({
      kind: 'blocked',
      reason: 'TOO_LATE',
      messageKey: 'appointments.join.reason.TOO_LATE',
    });
  });

  it('other reasons block with their own message and no countdown', async () => {
    const clock = new FakeClock(START);
    const gate = new JoinGate({ check: fakeServer(clock, 0, 'NOT_PAID').check, clock });
    await gate.refresh();
    expect(gate.state).toMatchObject({
      kind: 'blocked',
      reason: 'NOT_PAID',
      messageKey: 'appointments.join.reason.NOT_PAID',
    });
    expect(clock.pending).toBe(0);
  });

  it('a failed check is retried by itself after 2 s, 5 s, 10 s, then every 30 s', async () => {
    const clock = new FakeClock(OPENS - 60 * MIN);
    const server = fakeServer(clock, 0);
    const tries: number[] = [];
    let fail = true;
    const gate = new JoinGate({
      check: () => {
        tries.push(clock.now());
        return fail ? Promise.reject(new Error('offline')) : server.check();
      },
      clock,
    });
    const t0 = clock.now();
    await gate.refresh();
    expect(gate.state).toMatchObject({ kind: 'failed', failures: 1 });
    // Step through time a second at a time and record when it asked again.
    for (let s = 0; s < 120; s++) {
      clock.advance(1_000);
      await settle();
    }
    expect(tries.map((t) => (t - t0) / 1_000)).toEqual([0, 2, 7, 17, 47, 77, 107]);
    expect(gate.state).toMatchObject({ kind: 'failed', failures: 7 });

    // The network is back: the next retry answers, and the delays start over after it.
    fail = false;
    clock.advance(30_000);
    await settle();
    expect(gate.state.kind).toBe('waiting');
    fail = true;
    await gate.refresh();
    expect(gate.state).toMatchObject({ kind: 'failed', failures: 1 });
    const before = tries.length;
    clock.advance(2_000);
    await settle();
    expect(tries).toHaveLength(before + 1);
  });

  it('a manual refresh that answers cancels the pending retry; dispose stops every timer', async () => {
    const clock = new FakeClock(START);
    let fail = true;
    let asked = 0;
    const server = fakeServer(clock, 0, 'NOT_PAID');
    const gate = new JoinGate({
      check: () => {
        asked += 1;
        return fail ? Promise.reject(new Error('offline')) : server.check();
      },
      clock,
    });
    await gate.refresh();
    expect(gate.state.kind).toBe('failed');
    expect(clock.pending).toBe(1);
    fail = false;
    await gate.refresh();
    expect(gate.state.kind).toBe('blocked');
    expect(clock.pending).toBe(0);
    clock.advance(60_000);
    await settle();
    expect(asked).toBe(2);

    fail = true;
    await gate.refresh();
    expect(clock.pending).toBe(1);
    gate.dispose();
    expect(clock.pending).toBe(0);
  });
});
