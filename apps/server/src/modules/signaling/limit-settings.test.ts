import { WS_LIMITS } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { FAST_WS, SignalingServer } from './test-server.js';

// The socket limits are settings (WS_MAX_CONNECTIONS_PER_IP, WS_MESSAGE_BURST, …, parsed in
// platform/config.ts): what the configuration says reaches the hub through app.ts.

let s: SignalingServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** Sockets that never say hello stay open long enough to count; no heartbeat verdicts. */
const QUIET_WS: Config['ws'] = {
  ...FAST_WS,
  helloTimeoutMs: 60_000,
  heartbeatIntervalMs: 60_000,
  deadAfterMs: 120_000,
};

async function fill(server: SignalingServer, count: number) {
  return Promise.all(Array.from({ length: count }, () => server.open()));
}

describe('WS_MAX_CONNECTIONS_PER_IP', () => {
  it('raised above the default, one address gets more sockets than WS_LIMITS allows; the next past it is refused', async () => {
    const max = WS_LIMITS.maxConnectionsPerIp + 20;
    s = await SignalingServer.start({ ws: { ...QUIET_WS, maxConnectionsPerIp: max } });
    const open = await fill(s, max);
    const extra = await s.open();
    expect(await extra.whenClosed()).toEqual({ code: 4005, reason: 'TOO_MANY_CONNECTIONS' });
    expect(open.every((c) => c.ws.readyState === c.ws.OPEN)).toBe(true);
  });

  it('lowered, the socket past it is refused with 4005', async () => {
    s = await SignalingServer.start({ ws: { ...QUIET_WS, maxConnectionsPerIp: 5 } });
    const open = await fill(s, 5);
    const extra = await s.open();
    expect(await extra.next('error')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect(await extra.whenClosed()).toEqual({ code: 4005, reason: 'TOO_MANY_CONNECTIONS' });
    expect(open.every((c) => c.ws.readyState === c.ws.OPEN)).toBe(true);
  });
});

describe('WS_MESSAGE_BURST and WS_MESSAGES_PER_SECOND', () => {
  it('a socket gets the configured burst, and the message past it is RATE_LIMITED (4008)', async () => {
    // A clock that stands still: the bucket never refills while the test runs.
    const clock = new ManualClock();
    s = await SignalingServer.start(
      { ws: { ...QUIET_WS, messagesPerSecond: 1, messageBurst: 6 } },
      { clock, timers: clock },
    );
    const c = await s.connect(await s.guest());
    // The hello took one token of six.
    for (let i = 0; i < 5; i++) c.send({ type: 'ping', ref: `p${i}` });
    await c.next('pong', { match: (m) => m.ref === 'p4' });
    c.send({ type: 'ping', ref: 'over' });
    expect(await c.next('error')).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await c.whenClosed()).toEqual({ code: 4008, reason: 'RATE_LIMITED' });
  });
});
