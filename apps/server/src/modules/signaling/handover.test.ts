import { WsCloseCode } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ManualClock, systemClock } from '../../platform/clock.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import { createRedisLiveState } from '../../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../../platform/live/redis/testing.js';
import type { LiveState } from '../../platform/live/index.js';
import { HANDOVER_WINDOW_MS, Handovers } from './handover.js';
import type { TestClient } from './test-client.js';
import { SignalingServer } from './test-server.js';

// A process that stops (SIGTERM) hands its calls over: the socket it closes with 1012
// comes back on another process with its resume token and takes over the same
// connection, so the peers never see it leave. Two apps sharing one live state and one
// database stand in for two processes.

let servers: SignalingServer[] = [];
let live: LiveState;
afterEach(async () => {
  for (const s of servers.reverse()) await s.close();
  servers = [];
  await live?.close();
});

async function twoProcesses() {
  live = createMemoryLiveState(systemClock);
  // Leases far longer than the test: a loaded machine must not make one sweep the other.
  const config = { live: { expiryMs: 60_000, tickMs: 25 } };
  const a = await SignalingServer.start(config, { live });
  const b = await SignalingServer.start(config, { live, db: a.t.db });
  servers = [a, b];
  const host = await a.member('host');
  const roomId = await a.createRoom(host);
  const friend = await a.guest('Friend');
  await a.enter(friend, roomId);
  const h = await a.inRoom(host, roomId);
  const f = await b.open();
  const welcome = await f.hello(friend.token);
  await f.join(roomId);
  await h.next('participant.joined');
  return { a, b, host, friend, roomId, h, f, welcome };
}

/** Stops process B the way SIGTERM does, and waits for the friend's socket to close. */
async function stop(b: SignalingServer, f: TestClient) {
  const closing = b.t.close();
  expect(await f.next('server.draining')).toEqual({ type: 'server.draining' });
  expect(await f.whenClosed()).toEqual({
    code: WsCloseCode.SERVICE_RESTART,
    reason: 'SERVICE_UNAVAILABLE',
  });
  await closing;
  servers = servers.filter((s) => s !== b);
}

describe('handover on a graceful stop', () => {
  it('the client resumes on the other process with the same connection id; its peer hears nothing and reaches it', async () => {
    const { a, b, friend, roomId, h, f, welcome } = await twoProcesses();
    expect(welcome.resumed).toBe(false);
    expect(welcome.resumeToken).toEqual(expect.any(String));
    await stop(b, f);

    const f2 = await a.open();
    const again = await f2.hello(friend.token, { resume: welcome.resumeToken! });
    expect(again).toMatchObject({ connectionId: f.connectionId, resumed: true });
    expect(again.resumeToken).not.toBe(welcome.resumeToken);
    const joined = await f2.join(roomId);
    expect(joined.self.connectionId).toBe(f.connectionId);
    expect(joined.participants.map((p) => p.connectionId)).toEqual([h.connectionId]);

    // Signals addressed to the old id reach the new socket on the other process.
    h.send({ type: 'signal', to: f.connectionId, description: { type: 'offer', sdp: 'v=0 x' } });
    expect((await f2.next('signal')).from).toBe(h.connectionId);
    await h.expectNo('participant.left');
    const roster = await live.roster.list(roomId);
    expect(roster.map((e) => e.connectionId).sort()).toEqual(
      [h.connectionId, f.connectionId].sort(),
    );
  });

  it("someone else's token, a second use, or no token gives a fresh connection", async () => {
    const { a, b, friend, roomId, h, f, welcome } = await twoProcesses();
    await stop(b, f);
    const token = welcome.resumeToken!;

    // A stranger who learned the token (and the connection id, which peers know) gets nothing.
    const stranger = await a.guest('Stranger');
    const s = await a.open();
    const theirs = await s.hello(stranger.token, { resume: token });
    expect(theirs.resumed).toBe(false);
    expect(theirs.connectionId).not.toBe(f.connectionId);

    // The stranger's try did not use it up; the owner's first use does.
    const f2 = await a.open();
    expect(await f2.hello(friend.token, { resume: token })).toMatchObject({ resumed: true });
    await f2.join(roomId);
    const f3 = await a.open();
    const twice = await f3.hello(friend.token, { resume: token });
    expect(twice.resumed).toBe(false);
    expect(twice.connectionId).not.toBe(f.connectionId);
    await h.expectNo('participant.left');
  });
});

describe('Handovers', () => {
  it('an offer lapses after the window and is forgotten', async () => {
    const clock = new ManualClock();
    const l = createMemoryLiveState(clock);
    const handovers = new Handovers(l.store('h'), l.deadlines('h'), clock);
    await handovers.offer('token-one-aaaaaaaaaaaa', 'c1', 'u1');
    await handovers.offer('token-two-aaaaaaaaaaaa', 'c2', 'u1');
    expect(await handovers.claim('token-one-aaaaaaaaaaaa', 'u1')).toBe('c1');
    clock.advance(HANDOVER_WINDOW_MS + 1);
    expect(await handovers.claim('token-two-aaaaaaaaaaaa', 'u1')).toBeUndefined();
    await handovers.offer('token-three-aaaaaaaaaa', 'c3', 'u1');
    clock.advance(HANDOVER_WINDOW_MS + 1);
    await handovers.forgetExpired(clock.now().getTime());
    expect(await l.store('h').size()).toBe(0);
  });

  it.skipIf(!TEST_REDIS_URL)(
    'over Redis, two processes claiming one token at once: exactly one gets it',
    async () => {
      const url = TEST_REDIS_URL!;
      const prefix = `test:${randomBytes(6).toString('hex')}:`;
      const clock = new ManualClock();
      const [p1, p2] = await Promise.all([
        createRedisLiveState({ url, prefix, clock }),
        createRedisLiveState({ url, prefix, clock }),
      ]);
      try {
        const on = (l: LiveState) =>
          new Handovers(l.store('handover'), l.deadlines('handover'), clock);
        for (let i = 0; i < 20; i++) {
          const token = `token-${i}-${randomBytes(8).toString('hex')}`;
          await on(p1).offer(token, `c${i}`, 'u1');
          const got = await Promise.all([on(p1).claim(token, 'u1'), on(p2).claim(token, 'u1')]);
          expect(got.filter((g) => g !== undefined)).toEqual([`c${i}`]);
        }
        expect(await p1.store('handover').size()).toBe(0);
      } finally {
        await p1.close();
        await p2.close();
        await dropKeys(url, prefix);
      }
    },
  );
});
