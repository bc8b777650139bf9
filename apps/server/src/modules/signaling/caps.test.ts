import { randomBytes, randomUUID } from 'node:crypto';
import type { User } from '@parley/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Timers } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import type { LiveState } from '../../platform/live/index.js';
import { createRedisLiveState } from '../../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../../platform/live/redis/testing.js';
import { accountKey, addressKey } from './caps.js';
import type { TokenSession } from './deps.js';
import type { RoomGate } from './gate.js';
import { createHub } from './hub.js';
import type { Hub } from './hub.js';
import {
  frozenTimers,
  noCalls,
  noChat,
  noPlayback,
  noPresence,
  roomSummary,
} from './test-fakes.js';
import { FakeSocket } from './test-socket.js';

// The connection caps hold for the whole deployment, not per process: two hubs sharing one
// live state (memory, and Redis when TEST_REDIS_URL is set) stand for two processes behind
// one balancer. Fake sockets and fake time; what a Redis round trip takes is waited for.

const WS: Config['ws'] = {
  helloTimeoutMs: 60_000,
  heartbeatIntervalMs: 600_000,
  deadAfterMs: 1_200_000,
  reconnectGraceMs: 120_000,
};
const LIVE: Config['live'] = { expiryMs: 30_000, tickMs: 1_000 };
const CAPS = { maxConnectionsPerIp: 3, maxConnectionsPerUser: 2 };

const quietGate: RoomGate = {
  enter: (roomId) =>
    Promise.resolve({
      role: 'participant',
      room: roomSummary(roomId),
      lobby: undefined,
      spotlight: null,
    }),
  leave: () => Promise.resolve(),
  abandon: () => Promise.resolve(),
  occupied: () => Promise.resolve({ meetingStartedAt: new Date(0).toISOString() }),
  emptied: () => Promise.resolve(),
  departed: () => Promise.resolve(),
  handOver: () => Promise.resolve(),
  roleOf: () => Promise.resolve('participant'),
  heldSeats: () => Promise.resolve([]),
  unattendedRooms: () => Promise.resolve([]),
};

type World = {
  clock: ManualClock;
  /** One live state per process; the memory kind is one object shared by both. */
  lives: [LiveState, LiveState];
  sessions: Map<string, TokenSession>;
  close(): Promise<void>;
};

const kinds = ['memory', ...(TEST_REDIS_URL ? ['redis' as const] : [])] as const;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setup(kind: 'memory' | 'redis'): Promise<World> {
  const clock = new ManualClock();
  if (kind === 'memory') {
    const live = createMemoryLiveState(clock);
    world = { clock, lives: [live, live], sessions: new Map(), close: () => live.close() };
    return world;
  }
  const url = TEST_REDIS_URL!;
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const a = await createRedisLiveState({ url, prefix, clock });
  const b = await createRedisLiveState({ url, prefix, clock });
  world = {
    clock,
    lives: [a, b],
    sessions: new Map(),
    async close() {
      await a.close();
      await b.close();
      await dropKeys(url, prefix);
    },
  };
  return world;
}

/** Process `n` (0 or 1) of the world; `timers` frozen: it died right after starting. */
function startHub(w: World, n: 0 | 1, timers: Timers = w.clock, processId = `p${n}`): Hub {
  return createHub(
    {
      live: w.lives[n],
      processId,
      gate: quietGate,
      chat: noChat,
      playback: noPlayback,
      calls: noCalls,
      presence: noPresence,
      clock: w.clock,
      timers,
      sessionForToken: (token) => {
        const s = w.sessions.get(token);
        return s ? Promise.resolve(s) : Promise.reject(new Error('unknown token'));
      },
      allowedOrigins: [],
      ws: WS,
      liveTiming: LIVE,
      limits: CAPS,
    },
    pino({ level: 'silent' }),
  );
}

function token(w: World, u: User): string {
  const t = `t-${randomUUID()}`;
  w.sessions.set(t, { user: u, sessionId: randomUUID(), expiresAt: new Date(Date.UTC(2100, 0)) });
  return t;
}

function user(name: string): User {
  return {
    id: randomUUID(),
    email: null,
    displayName: name,
    role: 'member',
    isGuest: false,
    createdAt: new Date().toISOString(),
    lastSeenAt: null,
  };
}

/** Waits (real time, briefly) until the check holds: a Redis round trip is not a fake tick. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Moves the deployment's clock a tick at a time until the check holds: an upkeep pass
 * over Redis outlasts a fake tick, and the pass that falls due meanwhile is skipped.
 */
async function tickUntil(w: World, check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await w.clock.tick(LIVE.tickMs);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no tick made it true that ${what}`);
}

/**
 * A socket from `ip` that says hello with `tok` (someone new by default): its hello is
 * queued behind the address's count, so an answer means the count was decided.
 */
async function open(w: World, hub: Hub, ip: string, tok = token(w, user('Someone'))) {
  const s = new FakeSocket();
  hub.accept(s.asWebSocket(), ip);
  s.receive({ type: 'hello', token: tok, protocolVersion: 1 });
  await until(() => s.sent.length > 0, 'the socket was counted or refused');
  return s;
}

/** A session of `tok` from an address of its own. */
const hello = (w: World, hub: Hub, tok: string) =>
  open(w, hub, `198.51.100.${Math.floor(Math.random() * 250) + 1}`, tok);

const refused = (s: FakeSocket) =>
  s.of('error')[0]?.code === 'TOO_MANY_CONNECTIONS' &&
  s.closedWith?.code === 4005 &&
  s.closedWith.reason === 'TOO_MANY_CONNECTIONS';

describe.each(kinds)('connection caps over two processes (%s live state)', (kind) => {
  it('one address gets maxConnectionsPerIp sockets in total, wherever they land; the next is closed with 4005, and a closed one frees its place', async () => {
    const w = await setup(kind);
    const a = startHub(w, 0);
    const b = startHub(w, 1);
    // One subscriber's /64, written three ways: one address to the cap.
    const first = await open(w, a, '2001:db8:7:1::10');
    await open(w, a, '2001:db8:7:1:ffff::20');
    await open(w, b, '2001:DB8:7:1:0:0:0:30');
    expect(await w.lives[0].socketCounts.count(addressKey('2001:db8:7:1::1'))).toBe(3);
    const fourth = await open(w, b, '2001:db8:7:1::40');
    expect(refused(fourth)).toBe(true);
    expect(fourth.of('welcome')).toEqual([]); // its hello was never heard
    // Another /64 and an IPv4 address have budgets of their own.
    expect(refused(await open(w, b, '2001:db8:7:2::1'))).toBe(false);
    expect(refused(await open(w, a, '::ffff:192.0.2.7'))).toBe(false);
    // The refused socket held no place; a closed one gives its place back everywhere.
    fourth.drop();
    first.drop();
    await until(
      async () => (await w.lives[1].socketCounts.count(addressKey('2001:db8:7:1::1'))) === 2,
      'the closed socket stopped counting',
    );
    expect(refused(await open(w, b, '2001:db8:7:1::50'))).toBe(false);
    expect(refused(await open(w, a, '2001:db8:7:1::60'))).toBe(true);
  });

  it('one account gets maxConnectionsPerUser sessions in total over both processes; closing one makes room', async () => {
    const w = await setup(kind);
    const a = startHub(w, 0);
    const b = startHub(w, 1);
    const u = user('Tabs');
    const tab1 = await hello(w, a, token(w, u));
    expect(tab1.of('welcome')).toHaveLength(1);
    expect((await hello(w, b, token(w, u))).of('welcome')).toHaveLength(1);
    const third = await hello(w, a, token(w, u));
    expect(refused(third)).toBe(true);
    expect(third.of('welcome')).toEqual([]);
    // Someone else is unaffected.
    expect((await hello(w, b, token(w, user('Other')))).of('welcome')).toHaveLength(1);

    tab1.drop();
    await until(
      async () => (await w.lives[0].socketCounts.count(accountKey(u.id))) === 1,
      'the closed tab stopped counting',
    );
    expect((await hello(w, b, token(w, u))).of('welcome')).toHaveLength(1);
  });

  it("a dead process's sockets stop counting once its lease runs out, not before", async () => {
    const w = await setup(kind);
    const alive = startHub(w, 0);
    // Runs its first upkeep (its lease) at start, then never again: it was killed.
    const dead = startHub(w, 1, frozenTimers);
    const ip = '203.0.113.9';
    for (let i = 0; i < CAPS.maxConnectionsPerIp; i++) await open(w, dead, ip);
    const u = user('Ghost');
    await hello(w, dead, token(w, u));
    await hello(w, dead, token(w, u));

    await w.clock.tick(LIVE.expiryMs - LIVE.tickMs);
    expect(refused(await open(w, alive, ip))).toBe(true);
    expect(refused(await hello(w, alive, token(w, u)))).toBe(true);

    await tickUntil(
      w,
      async () => (await w.lives[0].socketCounts.count(addressKey(ip))) === 0,
      'the dead process was swept',
    );
    expect(refused(await open(w, alive, ip))).toBe(false);
    expect((await hello(w, alive, token(w, u))).of('welcome')).toHaveLength(1);
  });

  it('a process swept while it stalled counts its open sockets again when it comes back', async () => {
    const w = await setup(kind);
    const other = startHub(w, 0);
    // Its own timers: they stand still while the deployment's clock moves on.
    const stalled = new ManualClock();
    const staller = startHub(w, 1, stalled);
    const ip = '203.0.113.10';
    await open(w, other, ip);
    await open(w, other, ip);
    expect(refused(await open(w, staller, ip))).toBe(false); // the third place

    await w.clock.tick(LIVE.expiryMs);
    await tickUntil(
      w,
      async () => (await w.lives[0].socketCounts.count(addressKey(ip))) === 2,
      'the stalled process was swept',
    );
    // Back: its renewal finds the lease gone, and its open socket is counted again.
    await stalled.tick(LIVE.tickMs);
    await until(
      async () => (await w.lives[0].socketCounts.count(addressKey(ip))) === 3,
      'the socket was counted again',
    );
    expect(refused(await open(w, other, ip))).toBe(true);
  });
});
