import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ServerMessageOf } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Timers } from '../../platform/clock.js';
import { frozenTimers } from '../signaling/test-fakes.js';
import type { Config } from '../../platform/config.js';
import type { DbHandle } from '../../platform/db/database.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import type { LiveState } from '../../platform/live/index.js';
import { PRESENCE_KEY } from '../../platform/live/presence.js';
import { createRedisLiveState } from '../../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../../platform/live/redis/testing.js';
import { dialects, testApp } from '../../test/harness.js';
import type { Dialect, TestApp } from '../../test/harness.js';
import { TestClient } from '../signaling/test-client.js';
import { eventually } from '../signaling/test-server.js';
import { people } from './test-people.js';
import type { Person } from './test-people.js';

// Presence end to end: real listening apps, real WebSocket clients, fake time. Contacts
// hear `presence.changed` when someone's first socket says hello and, a few seconds
// after their last one closed, that they went offline; a block hides it; "do not
// disturb" is pushed; a process that dies takes its people offline through another.
// Nothing waits on the wall clock: time moves only when a test ticks it, and "nothing
// was sent" is checked behind a later message on the same socket (see `quiet`).

/** The socket layer's delay before "offline" (signaling/presence.ts OFFLINE_DELAY_MS). */
const OFFLINE_DELAY_MS = 5_000;
const LIVE: Config['live'] = { expiryMs: 3_000, tickMs: 50 };
/** Heartbeats far apart: fake time jumps must not make a real client look dead. */
const WS: Config['ws'] = {
  helloTimeoutMs: 60_000,
  heartbeatIntervalMs: 10 * 60_000,
  deadAfterMs: 20 * 60_000,
  reconnectGraceMs: 120_000,
};
const HIDDEN = { online: false, lastSeenAt: null, doNotDisturb: false };

type Server = { t: TestApp; wsUrl: string };
let servers: Server[] = [];
let clients: TestClient[] = [];
let shared: LiveState | undefined;
/** Clients, then apps, then a live state they shared; safe to call twice. */
async function closeAll(): Promise<void> {
  await Promise.all(clients.map((c) => c.terminate()));
  clients = [];
  for (const s of servers.reverse()) await s.t.close();
  servers = [];
  await shared?.close();
  shared = undefined;
}
afterEach(closeAll);

async function start(opts: {
  dialect: Dialect;
  clock: ManualClock;
  timers?: Timers;
  live?: LiveState;
  db?: DbHandle;
}): Promise<Server> {
  const t = await testApp({
    dialect: opts.dialect,
    clock: opts.clock,
    timers: opts.timers ?? opts.clock,
    ...(opts.live ? { live: opts.live } : {}),
    ...(opts.db ? { db: opts.db } : {}),
    config: { ws: WS, live: LIVE },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  const server = { t, wsUrl: `ws://127.0.0.1:${port}/ws` };
  servers.push(server);
  return server;
}

/** A socket that said hello and whose hello work (presence included) is done. */
async function connect(server: Server, who: Person): Promise<TestClient> {
  const c = await TestClient.open(server.wsUrl);
  clients.push(c);
  await c.hello(who.token);
  // Handled in order: the pong comes after everything the hello started.
  expect((await c.request({ type: 'ping' })).type).toBe('pong');
  return c;
}

/** Moves fake time until `p` settles (the upkeep runs on these ticks), then returns it. */
async function tickUntil<T>(clock: ManualClock, p: Promise<T>, stepMs = LIVE.tickMs): Promise<T> {
  let settled = false;
  const watched = p.finally(() => {
    settled = true;
  });
  for (let i = 0; i < 2_000 && !settled; i++) await clock.tick(stepMs);
  return watched;
}

type PresenceChanged = ServerMessageOf<'presence.changed'>;

describe.each(dialects)('presence over real sockets on %s', (dialect) => {
  let clock: ManualClock;
  let server: Server;
  let p: ReturnType<typeof people>;
  /** Someone the observer has as a contact, whose "do not disturb" flips mark a point in time. */
  let marker: Person;
  let markerDnd = false;

  async function world() {
    clock = new ManualClock(new Date());
    server = await start({ dialect, clock });
    p = people(server.t);
    marker = await p.member('Marker');
    markerDnd = false;
  }

  /** An observer who has `of` (and the marker) as contacts, connected. */
  async function observer(name: string, ...of: Person[]) {
    const who = await p.member(name);
    for (const c of [...of, marker]) {
      expect((await p.call('POST', '/api/contacts', who, { userId: c.id })).status).toBe(201);
    }
    return { who, socket: await connect(server, who) };
  }

  /**
   * What reached `socket` before now and was not taken yet: the marker flips its setting,
   * and that notice goes out on the same bus and socket after anything published earlier.
   */
  async function quiet(socket: TestClient): Promise<PresenceChanged[]> {
    markerDnd = !markerDnd;
    const on = markerDnd;
    expect((await p.call('PUT', '/api/presence', marker, { doNotDisturb: on })).status).toBe(200);
    await socket.next('presence.changed', {
      match: (m) => m.userId === marker.id && m.presence.doNotDisturb === on,
    });
    // Earlier flips (made for another observer) are marks too, not findings.
    return socket.peekAll('presence.changed').filter((m) => m.userId !== marker.id);
  }

  const checks = () => server.t.live.deadlines('presence-offline');
  const sockets = (who: Person) => server.t.live.roster.countUserConnections(PRESENCE_KEY, who.id);
  const changeOf = (socket: TestClient, who: Person) =>
    socket.next('presence.changed', { match: (m) => m.userId === who.id });

  it("a contact hears the first socket's hello as online; a second tab, closing one of two, and strangers hear nothing", async () => {
    await world();
    const ada = await p.member('Ada');
    const bob = await observer('Bob', ada);
    const stranger = await observer('Stranger');

    const tab1 = await connect(server, ada);
    expect(await changeOf(bob.socket, ada)).toEqual({
      type: 'presence.changed',
      userId: ada.id,
      presence: { online: true, lastSeenAt: clock.now().toISOString(), doNotDisturb: false },
    });
    const tab2 = await connect(server, ada);
    expect(await quiet(bob.socket)).toEqual([]);

    await tab1.close();
    await eventually(async () => (await sockets(ada)) === 1, 'the first tab left presence');
    expect(await checks().get(ada.id)).toBeUndefined();
    await clock.tick(2 * OFFLINE_DELAY_MS);
    expect(await quiet(bob.socket)).toEqual([]);
    expect(await quiet(stranger.socket)).toEqual([]);
    expect(tab2.peekAll('presence.changed')).toEqual([]);
  });

  it('after the last socket closes, contacts hear offline with lastSeenAt only once the delay passed', async () => {
    await world();
    const ada = await p.member('Ada');
    const bob = await observer('Bob', ada);
    const a = await connect(server, ada);
    await changeOf(bob.socket, ada);

    await a.close();
    await eventually(async () => (await checks().get(ada.id)) !== undefined, 'the check is set');
    const closedAt = clock.now().getTime();
    await clock.tick(OFFLINE_DELAY_MS - 2 * LIVE.tickMs);
    expect(await quiet(bob.socket)).toEqual([]);

    const offline = await tickUntil(clock, changeOf(bob.socket, ada));
    expect(offline.presence).toMatchObject({ online: false, doNotDisturb: false });
    const lastSeen = Date.parse(offline.presence.lastSeenAt!);
    expect(lastSeen - closedAt).toBeGreaterThanOrEqual(OFFLINE_DELAY_MS);
    expect(lastSeen).toBeLessThanOrEqual(clock.now().getTime());
    const listed = (await p.call('GET', '/api/contacts', bob.who)).body.contacts;
    expect(listed.find((c: { user: { id: string } }) => c.user.id === ada.id).presence).toEqual(
      offline.presence,
    );
  });

  it('someone online is seen now: their hello writes no last-seen, lists show the present moment, going offline keeps it', async () => {
    await world();
    const ada = await p.member('Ada');
    const bob = await observer('Bob', ada);
    const stored = async () =>
      (
        await server.t.db.db
          .selectFrom('users')
          .select('last_seen_at')
          .where('id', '=', ada.id)
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    const before = await stored();
    const a = await connect(server, ada);
    await changeOf(bob.socket, ada);
    expect(await stored()).toBe(before);

    await clock.tick(60_000);
    const listed = (await p.call('GET', '/api/contacts', bob.who)).body.contacts;
    expect(listed.find((c: { user: { id: string } }) => c.user.id === ada.id).presence).toEqual({
      online: true,
      lastSeenAt: clock.now().toISOString(),
      doNotDisturb: false,
    });

    await a.close();
    const offline = await tickUntil(clock, changeOf(bob.socket, ada));
    expect(await stored()).toBe(offline.presence.lastSeenAt);
    expect(Date.parse(offline.presence.lastSeenAt!)).toBeGreaterThan(Date.parse(before ?? '0'));
  });

  it('a reload within the delay sends nothing at all', async () => {
    await world();
    const ada = await p.member('Ada');
    const bob = await observer('Bob', ada);
    const a = await connect(server, ada);
    await changeOf(bob.socket, ada);

    await a.close();
    await eventually(async () => (await checks().get(ada.id)) !== undefined, 'the check is set');
    await clock.tick(OFFLINE_DELAY_MS / 2);
    await connect(server, ada);
    expect(await checks().get(ada.id)).toBeUndefined();
    await clock.tick(2 * OFFLINE_DELAY_MS);
    expect(await quiet(bob.socket)).toEqual([]);
  });

  it('a block hides presence: the blocked contact sees the blocker offline at once and nothing after; unblocking shows them again', async () => {
    await world();
    const ada = await p.member('Ada');
    const bob = await observer('Bob', ada);
    const a = await connect(server, ada);
    await changeOf(bob.socket, ada);

    expect((await p.call('POST', '/api/blocks', ada, { userId: bob.who.id })).status).toBe(201);
    expect((await changeOf(bob.socket, ada)).presence).toEqual(HIDDEN);
    const listed = (await p.call('GET', '/api/contacts', bob.who)).body.contacts;
    expect(listed.find((c: { user: { id: string } }) => c.user.id === ada.id).presence).toEqual(
      HIDDEN,
    );

    // Neither "do not disturb", nor going offline, nor coming back reaches Bob.
    await p.call('PUT', '/api/presence', ada, { doNotDisturb: true });
    await a.close();
    await eventually(async () => (await checks().get(ada.id)) !== undefined, 'the check is set');
    await tickUntil(
      clock,
      eventually(async () => (await checks().get(ada.id)) === undefined, 'the check was taken'),
    );
    await connect(server, ada);
    expect(await quiet(bob.socket)).toEqual([]);

    expect((await p.call('DELETE', `/api/blocks/${bob.who.id}`, ada)).status).toBe(204);
    expect((await changeOf(bob.socket, ada)).presence).toMatchObject({
      online: true,
      doNotDisturb: true,
    });
  });

  it('"do not disturb" reaches contacts when it changes, and only then', async () => {
    await world();
    const ada = await p.member('Ada');
    const bob = await observer('Bob', ada);
    await p.call('PUT', '/api/presence', ada, { doNotDisturb: true });
    expect((await changeOf(bob.socket, ada)).presence).toEqual({
      online: false,
      lastSeenAt: null,
      doNotDisturb: true,
    });
    await p.call('PUT', '/api/presence', ada, { doNotDisturb: true });
    expect(await quiet(bob.socket)).toEqual([]);
  });
});

/**
 * Two processes: "alive" ticks on the test's clock, "dead" ran its first upkeep at start
 * and nothing it schedules ever runs again (killed). Their live state is one memory
 * instance, or one Redis connection each.
 */
async function processDeath(
  dialect: Dialect,
  liveFor: (clock: ManualClock) => Promise<[alive: LiveState, dead: LiveState]>,
) {
  const clock = new ManualClock(new Date());
  const [aliveLive, deadLive] = await liveFor(clock);
  const alive = await start({ dialect, clock, live: aliveLive });
  const dead = await start({
    dialect,
    clock,
    live: deadLive,
    db: alive.t.db,
    timers: frozenTimers,
  });
  const p = people(alive.t);
  const ada = await p.member('Ada');
  const bob = await p.member('Bob');
  await p.call('POST', '/api/contacts', bob, { userId: ada.id });
  const b = await connect(alive, bob);
  const startedAt = clock.now().getTime();
  await connect(dead, ada);
  expect((await b.next('presence.changed')).presence.online).toBe(true);

  await clock.tick(LIVE.expiryMs - 10 * LIVE.tickMs);
  expect(await aliveLive.roster.countUserConnections(PRESENCE_KEY, ada.id)).toBe(1);
  const offline = await tickUntil(
    clock,
    b.next('presence.changed', { match: (m) => m.userId === ada.id }),
  );
  expect(offline.presence.online).toBe(false);
  expect(Date.parse(offline.presence.lastSeenAt!) - startedAt).toBeGreaterThanOrEqual(
    LIVE.expiryMs + OFFLINE_DELAY_MS,
  );
  // Presence entries are nobody's room: no call heard of them.
  expect(b.peekAll('participant.left')).toEqual([]);
}

describe.each(dialects)('presence when a process dies, on %s', (dialect) => {
  it('its people go offline through the other process after the expiry and the delay', async () => {
    await processDeath(dialect, (clock) => {
      shared = createMemoryLiveState(clock);
      return Promise.resolve([shared, shared]);
    });
  });
});

describe.skipIf(!TEST_REDIS_URL)('presence when a process dies, over Redis', () => {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const opened: LiveState[] = [];
  afterEach(async () => {
    await closeAll(); // the apps first: they use these until they are closed
    for (const l of opened.splice(0)) await l.close();
    await dropKeys(TEST_REDIS_URL!, prefix);
  });

  it('its people go offline through the other process after the expiry and the delay', async () => {
    await processDeath('sqlite', async (clock) => {
      const url = TEST_REDIS_URL!;
      const both = await Promise.all([
        createRedisLiveState({ url, prefix, clock }),
        createRedisLiveState({ url, prefix, clock }),
      ]);
      opened.push(...both);
      return both;
    });
  });
});
