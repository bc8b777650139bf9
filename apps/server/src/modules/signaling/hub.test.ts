import { randomUUID } from 'node:crypto';
import { WS_LIMITS } from '@parley/protocol';
import type { LobbyEntry, User } from '@parley/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Timers } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import type { LiveState } from '../../platform/live/index.js';
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

// The hub's timing rules on fake time and fake sockets: heartbeats, hello timeout,
// slow readers, token expiry, revocation, reconnection grace, dead processes and
// shutdown. Nothing here waits on a real timer or depends on the kernel's buffers.

const WS: Config['ws'] = {
  helloTimeoutMs: 5_000,
  heartbeatIntervalMs: 20_000,
  deadAfterMs: 45_000,
  reconnectGraceMs: 120_000,
};
const LIVE: Config['live'] = { expiryMs: 30_000, tickMs: 1_000 };
const ROOM = '00000000-0000-4000-8000-00000000aaaa';

/** Approves everyone for every room; records the calls signaling makes. */
class FakeGate implements RoomGate {
  readonly calls: string[] = [];
  unattended: string[] = [];
  held: { roomId: string; userId: string }[] = [];
  enter(roomId: string, user: User) {
    this.calls.push(`enter ${user.id}`);
    return Promise.resolve({
      role: 'participant' as const,
      room: roomSummary(roomId),
      lobby: undefined as LobbyEntry[] | undefined,
      spotlight: null,
    });
  }
  leave(_r: string, userId: string) {
    this.calls.push(`leave ${userId}`);
    return Promise.resolve();
  }
  abandon(_r: string, userId: string) {
    this.calls.push(`abandon ${userId}`);
    return Promise.resolve();
  }
  occupied(roomId: string) {
    this.calls.push(`occupied ${roomId}`);
    return Promise.resolve({ meetingStartedAt: new Date(0).toISOString() });
  }
  emptied(roomId: string) {
    this.calls.push(`emptied ${roomId}`);
    return Promise.resolve();
  }
  departed() {
    return Promise.resolve();
  }
  handOver() {
    return Promise.resolve();
  }
  roleOf() {
    return Promise.resolve('participant' as const);
  }
  heldSeats() {
    return Promise.resolve(this.held);
  }
  unattendedRooms() {
    return Promise.resolve(this.unattended);
  }
}

type World = {
  clock: ManualClock;
  live: LiveState;
  gate: FakeGate;
  sessions: Map<string, TokenSession>;
  /** Sessions that ended: their tokens are refused from then on, as the database does. */
  revoked: Set<string>;
  /** When set, token checks wait for it (a slow database during a logout). */
  slowCheck: Promise<void> | undefined;
  hubs: Hub[];
};

let world: World | undefined;
afterEach(() => {
  // Hubs on frozen timers never finish a graceful close: they are dead processes.
  world = undefined;
});

function setup(): World {
  const clock = new ManualClock();
  world = {
    clock,
    live: createMemoryLiveState(clock),
    gate: new FakeGate(),
    sessions: new Map(),
    revoked: new Set(),
    slowCheck: undefined,
    hubs: [],
  };
  return world;
}

function startHub(w: World, timers: Timers = w.clock, processId: string = randomUUID()): Hub {
  const hub = createHub(
    {
      live: w.live,
      processId,
      gate: w.gate,
      chat: noChat,
      playback: noPlayback,
      calls: noCalls,
      presence: noPresence,
      clock: w.clock,
      timers,
      sessionForToken: async (token) => {
        // Reads the "database" first, answers after the delay: the answer can be stale.
        const s = w.sessions.get(token);
        const ended = s !== undefined && w.revoked.has(s.sessionId);
        await w.slowCheck;
        if (!s) throw new AppError('INVALID_TOKEN', 401, 'no');
        if (ended) throw new AppError('SESSION_REVOKED', 401, 'ended');
        return s;
      },
      allowedOrigins: [],
      ws: WS,
      liveTiming: LIVE,
    },
    pino({ level: 'silent' }),
  );
  w.hubs.push(hub);
  return hub;
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

/** A token for `u` in session `sessionId`, valid for `ttlMs` from now on the test clock. */
function token(w: World, u: User, sessionId: string = randomUUID(), ttlMs = 15 * 60_000): string {
  const t = `t-${randomUUID()}`;
  w.sessions.set(t, { user: u, sessionId, expiresAt: new Date(w.clock.now().getTime() + ttlMs) });
  return t;
}

async function connect(w: World, hub: Hub, tok: string): Promise<FakeSocket> {
  const s = new FakeSocket();
  hub.accept(s.asWebSocket(), '127.0.0.1');
  s.receive({ type: 'hello', token: tok, protocolVersion: 1 });
  await w.clock.tick(0);
  expect(s.of('welcome')).toHaveLength(1);
  return s;
}

async function inRoom(w: World, hub: Hub, tok: string): Promise<FakeSocket> {
  const s = await connect(w, hub, tok);
  s.receive({ type: 'room.join', roomId: ROOM });
  await w.clock.tick(0);
  expect(s.of('room.joined')).toHaveLength(1);
  return s;
}

const welcome = (s: FakeSocket) => s.of('welcome')[0]!;

/** Moves time by `ms` while `alive` sockets answer every ping, as a healthy client does. */
async function live(w: World, ms: number, ...alive: FakeSocket[]): Promise<void> {
  for (let left = ms; left > 0; left -= WS.heartbeatIntervalMs / 2) {
    await w.clock.tick(Math.min(left, WS.heartbeatIntervalMs / 2));
    for (const s of alive) s.pong();
  }
}

describe('hub timing on fake time', () => {
  it('a socket that never says hello is closed with 4001 when helloTimeoutMs passes, not before', async () => {
    const w = setup();
    const hub = startHub(w);
    const s = new FakeSocket();
    hub.accept(s.asWebSocket(), '127.0.0.1');
    await w.clock.tick(WS.helloTimeoutMs - 1);
    expect(s.closedWith).toBeUndefined();
    await w.clock.tick(1);
    expect(s.closedWith).toEqual({ code: 4001, reason: 'HELLO_REQUIRED' });
  });

  it('a socket that answers pings stays; a silent one is terminated past deadAfterMs and the room hears `timeout`', async () => {
    const w = setup();
    const hub = startHub(w);
    const alive = await inRoom(w, hub, token(w, user('Alive')));
    const silent = await inRoom(w, hub, token(w, user('Silent')));
    for (let t = WS.heartbeatIntervalMs; t <= WS.deadAfterMs; t += WS.heartbeatIntervalMs) {
      await w.clock.tick(WS.heartbeatIntervalMs);
      alive.pong();
    }
    // 40 s of silence: pinged, not yet dead.
    expect(silent.pings).toBeGreaterThan(0);
    expect(silent.terminated).toBe(false);
    await w.clock.tick(WS.heartbeatIntervalMs);
    expect(silent.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(alive.of('participant.left')).toEqual([
      expect.objectContaining({ connectionId: welcome(silent).connectionId, reason: 'timeout' }),
    ]);
  });

  it('a pause of the server itself (GC, a starved CPU) is not the sockets’ silence: the healthy ones stay, the silent one still goes', async () => {
    const w = setup();
    const hub = startHub(w);
    const alive = await inRoom(w, hub, token(w, user('Alive')));
    const silent = await inRoom(w, hub, token(w, user('Silent')));
    await live(w, WS.heartbeatIntervalMs, alive);
    // The process stands still for twice deadAfterMs: time moves, no timer runs. When it
    // runs again the overdue heartbeat comes first; the pong waiting for it is read after.
    w.clock.advance(2 * WS.deadAfterMs);
    await w.clock.tick(0);
    expect(alive.terminated).toBe(false);
    expect(silent.terminated).toBe(false);
    alive.pong();
    // Silence the server listened to still counts (the pause as one interval of it).
    await live(w, WS.deadAfterMs, alive);
    expect(silent.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(alive.of('participant.left')).toEqual([
      expect.objectContaining({ connectionId: welcome(silent).connectionId, reason: 'timeout' }),
    ]);
  });

  it('a reader whose unsent data passes maxBufferedBytes is closed with 4009 and the room goes on', async () => {
    const w = setup();
    const hub = startHub(w);
    const sender = await inRoom(w, hub, token(w, user('Sender')));
    const slow = await inRoom(w, hub, token(w, user('Slow')));
    const fine = await inRoom(w, hub, token(w, user('Fine')));
    slow.bufferedAmount = WS_LIMITS.maxBufferedBytes + 1;
    sender.receive({ type: 'media.update', audio: false, video: true, screen: false });
    await w.clock.tick(0);
    expect(slow.closedWith).toEqual({ code: 4009, reason: 'SLOW_CONSUMER' });
    expect(fine.of('participant.updated')).toHaveLength(1);
    expect(fine.of('participant.left')).toEqual([
      expect.objectContaining({ connectionId: welcome(slow).connectionId }),
    ]);
    // Exactly at the limit is still fine: only more than maxBufferedBytes closes.
    fine.bufferedAmount = WS_LIMITS.maxBufferedBytes;
    sender.receive({ type: 'media.update', audio: true, video: true, screen: false });
    await w.clock.tick(0);
    expect(fine.closedWith).toBeUndefined();
    expect(fine.of('participant.updated')).toHaveLength(2);
  });

  it('a dropped user keeps the seat for reconnectGraceMs; coming back cancels the release', async () => {
    const w = setup();
    const hub = startHub(w);
    const away = user('Away');
    const back = user('Back');
    (await inRoom(w, hub, token(w, away))).drop();
    (await inRoom(w, hub, token(w, back))).drop();
    await w.clock.tick(WS.reconnectGraceMs / 2);
    const returned = await inRoom(w, hub, token(w, back));
    await live(w, WS.reconnectGraceMs / 2 - LIVE.tickMs, returned);
    expect(w.gate.calls).not.toContain(`abandon ${away.id}`);
    await live(w, 2 * LIVE.tickMs, returned);
    expect(w.gate.calls.filter((c) => c.startsWith('abandon'))).toEqual([`abandon ${away.id}`]);
    await live(w, WS.reconnectGraceMs * 2, returned);
    expect(w.gate.calls).not.toContain(`abandon ${back.id}`);
  });

  it('graceful shutdown sends server.draining and 1012, and does not wait for a peer that never answers', async () => {
    const w = setup();
    const hub = startHub(w);
    const stuck = await inRoom(w, hub, token(w, user('Stuck')));
    stuck.answersClose = false;
    let done = false;
    const closing = hub.close().then(() => (done = true));
    await w.clock.tick(0);
    // The close frame went out; the peer gets a second to answer before it is cut off.
    await w.clock.tick(999);
    expect(done).toBe(false);
    await w.clock.tick(2);
    await closing;
    expect(stuck.of('server.draining')).toHaveLength(1);
    expect(stuck.closedWith).toEqual({ code: 1012, reason: 'SERVICE_UNAVAILABLE' });
    expect(stuck.terminated).toBe(true);
  });

  it('graceful shutdown waits for the departure of a socket that closed just before it', async () => {
    const w = setup();
    // The departure's last step (the seat's grace) waits on the live state until released.
    const graces = w.live.deadlines('reconnect-grace');
    const set = graces.set.bind(graces);
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    graces.set = async (key, at) => {
      await slow;
      await set(key, at);
    };
    const hub = startHub(w);
    const gone = user('Gone');
    (await inRoom(w, hub, token(w, gone))).drop();
    await w.clock.tick(0);
    let done = false;
    const closing = hub.close().then(() => (done = true));
    await w.clock.tick(500);
    expect(done).toBe(false); // the departure is still running
    release();
    await w.clock.tick(0);
    await closing;
    expect(await graces.get(`${ROOM}/${gone.id}`)).toBeDefined();
  });
});

describe('tokens and revocation on open sockets', () => {
  it('closes a socket with 4002 TOKEN_EXPIRED when its token expires, within one tick', async () => {
    const w = setup();
    const hub = startHub(w);
    const s = await inRoom(w, hub, token(w, user('A'), 's1', 60_000));
    expect(welcome(s).tokenExpiresAt).toBe(w.clock.now().getTime() + 60_000);
    await live(w, 59_000, s);
    expect(s.closedWith).toBeUndefined();
    await live(w, 2 * LIVE.tickMs, s);
    expect(s.of('error')).toEqual([expect.objectContaining({ code: 'TOKEN_EXPIRED' })]);
    expect(s.closedWith).toEqual({ code: 4002, reason: 'TOKEN_EXPIRED' });
  });

  it('auth.refresh with a fresh token of the same user extends the socket without a reconnect', async () => {
    const w = setup();
    const hub = startHub(w);
    const a = user('A');
    const s = await inRoom(w, hub, token(w, a, 's1', 60_000));
    await live(w, 50_000, s);
    s.receive({ type: 'auth.refresh', ref: 'r1', token: token(w, a, 's1', 15 * 60_000) });
    await w.clock.tick(0);
    expect(s.of('auth.refreshed')).toEqual([
      { type: 'auth.refreshed', ref: 'r1', tokenExpiresAt: w.clock.now().getTime() + 15 * 60_000 },
    ]);
    await live(w, 5 * 60_000, s);
    expect(s.closedWith).toBeUndefined();
  });

  it("auth.refresh with another user's token closes with 4002; a bad token only gets an error", async () => {
    const w = setup();
    const hub = startHub(w);
    const s = await connect(w, hub, token(w, user('A')));
    s.receive({ type: 'auth.refresh', ref: 'bad', token: 'garbage' });
    await w.clock.tick(0);
    expect(s.of('error')).toEqual([expect.objectContaining({ code: 'INVALID_TOKEN', ref: 'bad' })]);
    expect(s.closedWith).toBeUndefined();
    s.receive({ type: 'auth.refresh', token: token(w, user('Mallory')) });
    await w.clock.tick(0);
    expect(s.closedWith).toEqual({ code: 4002, reason: 'INVALID_TOKEN' });
  });

  it('session.revoked closes the sockets of that session only; user.disabled closes them all', async () => {
    const w = setup();
    const hub = startHub(w);
    const a = user('A');
    const phone = await inRoom(w, hub, token(w, a, 'phone'));
    const laptop = await connect(w, hub, token(w, a, 'laptop'));
    const other = await connect(w, hub, token(w, user('B'), 'phone'));
    await w.live.bus.emit({
      type: 'session.revoked',
      userId: a.id,
      sessionId: 'phone',
      reason: 'logout',
    });
    await w.clock.tick(0);
    expect(phone.closedWith).toEqual({ code: 4002, reason: 'SESSION_REVOKED' });
    expect(laptop.closedWith).toBeUndefined();
    expect(other.closedWith).toBeUndefined();
    await w.live.bus.emit({ type: 'user.disabled', userId: a.id });
    await w.clock.tick(0);
    expect(laptop.closedWith).toEqual({ code: 4002, reason: 'ACCOUNT_DISABLED' });
    expect(other.closedWith).toBeUndefined();
  });

  it('user.updated reaches the open socket as session.updated and later actions use the new view', async () => {
    const w = setup();
    const hub = startHub(w);
    const a = user('A');
    const s = await connect(w, hub, token(w, a));
    const promoted: User = { ...a, role: 'provider', displayName: 'Dr A' };
    await w.live.bus.emit({ type: 'user.updated', user: promoted });
    await w.clock.tick(0);
    expect(s.of('session.updated')).toEqual([{ type: 'session.updated', user: promoted }]);
    s.receive({ type: 'room.join', roomId: ROOM });
    await w.clock.tick(0);
    expect((await w.live.roster.list(ROOM))[0]?.displayName).toBe('Dr A');
    expect(s.closedWith).toBeUndefined();
  });
});

describe("a user's sockets", () => {
  // The hub keeps a user's only socket as it is and a Set from the second on (memory per
  // socket): deliveries and revocations must reach the same sockets either way.
  it('a message to a user reaches each of their open sockets as they open and close, and a revocation all that are left', async () => {
    const w = setup();
    const hub = startHub(w);
    const u = user('Tabs');
    const tok = token(w, u, 'sess');
    const notice = { type: 'server.draining' } as const;
    const heard = (s: FakeSocket) => s.of('server.draining').length;

    const a = await connect(w, hub, tok);
    await w.live.bus.toUser(u.id, notice);
    const b = await connect(w, hub, tok);
    const c = await connect(w, hub, tok);
    await w.live.bus.toUser(u.id, notice);
    expect([a, b, c].map(heard)).toEqual([2, 1, 1]);

    a.drop();
    b.drop();
    await w.clock.tick(0);
    await w.live.bus.toUser(u.id, notice);
    expect([a, b, c].map(heard)).toEqual([2, 1, 2]);

    const d = await connect(w, hub, tok);
    await w.live.bus.emit({
      type: 'session.revoked',
      userId: u.id,
      sessionId: 'sess',
      reason: 'logout',
    });
    await w.clock.tick(0);
    expect(c.closedWith?.code).toBe(4002);
    expect(d.closedWith?.code).toBe(4002);
    expect(hub.size()).toBe(0);
  });
});

describe('revocations that race a token check', () => {
  /**
   * A's hello whose token check has read "active" and waits; `revoke` announces the end
   * of `ended` (as auth does after its commit), then the check answers.
   */
  async function helloDuringLogout(ended: string) {
    const w = setup();
    const hub = startHub(w);
    const a = user('A');
    const tok = token(w, a, 'laptop');
    let finishCheck = () => {};
    w.slowCheck = new Promise((resolve) => (finishCheck = resolve));
    const s = new FakeSocket();
    hub.accept(s.asWebSocket(), '127.0.0.1');
    s.receive({ type: 'hello', token: tok, protocolVersion: 1 });
    await w.clock.tick(0);
    w.revoked.add(ended);
    await w.live.bus.emit({
      type: 'session.revoked',
      userId: a.id,
      sessionId: ended,
      reason: 'logout',
    });
    w.slowCheck = undefined;
    finishCheck();
    await w.clock.tick(0);
    return s;
  }

  it('a logout heard while the hello token was being checked closes the socket instead of welcoming it', async () => {
    const s = await helloDuringLogout('laptop');
    expect(s.of('welcome')).toEqual([]);
    expect(s.closedWith).toEqual({ code: 4002, reason: 'SESSION_REVOKED' });
  });

  it('a revocation of another session of the same user does not stop a hello', async () => {
    const s = await helloDuringLogout('phone');
    expect(s.of('welcome')).toHaveLength(1);
    expect(s.closedWith).toBeUndefined();
  });

  it('auth.refresh may not move a socket to another sign-in session, and a refresh refused as revoked closes it', async () => {
    const w = setup();
    const hub = startHub(w);
    const a = user('A');
    const s = await connect(w, hub, token(w, a, 'laptop'));
    s.receive({ type: 'auth.refresh', token: token(w, a, 'phone') });
    await w.clock.tick(0);
    expect(s.closedWith).toEqual({ code: 4002, reason: 'INVALID_TOKEN' });

    const t = await connect(w, hub, token(w, a, 'tablet'));
    const later = token(w, a, 'tablet');
    w.revoked.add('tablet');
    t.receive({ type: 'auth.refresh', token: later });
    await w.clock.tick(0);
    expect(t.closedWith).toEqual({ code: 4002, reason: 'SESSION_REVOKED' });
  });
});

describe('live state across processes', () => {
  it("a process that stops heartbeating loses its participants on the others' rosters within the expiry, then their seats after the grace", async () => {
    const w = setup();
    const alive = startHub(w, w.clock, 'alive');
    // The other process runs its first upkeep at start, then never again: it was killed.
    const dead = startHub(w, frozenTimers, 'dead');
    const watcher = await inRoom(w, alive, token(w, user('Watcher')));
    const victim = user('Victim');
    const ghost = await inRoom(w, dead, token(w, victim));
    expect(await w.live.roster.countUsers(ROOM)).toBe(2);

    await live(w, LIVE.expiryMs - LIVE.tickMs, watcher);
    expect(watcher.of('participant.left')).toEqual([]);
    await live(w, 2 * LIVE.tickMs, watcher);
    expect(watcher.of('participant.left')).toEqual([
      expect.objectContaining({ connectionId: welcome(ghost).connectionId, reason: 'timeout' }),
    ]);
    expect(await w.live.roster.countUsers(ROOM)).toBe(1);
    expect(w.gate.calls).not.toContain(`abandon ${victim.id}`);
    await live(w, WS.reconnectGraceMs + LIVE.tickMs, watcher);
    expect(w.gate.calls).toContain(`abandon ${victim.id}`);
  });

  it('at start-up a process marks rooms nobody is in as empty and gives seats nobody holds a grace, then releases them', async () => {
    const w = setup();
    const stale = randomUUID();
    w.gate.unattended = [ROOM];
    w.gate.held = [{ roomId: ROOM, userId: stale }];
    startHub(w);
    await w.clock.tick(0);
    expect(w.gate.calls).toContain(`emptied ${ROOM}`);
    expect(w.gate.calls).not.toContain(`abandon ${stale}`);
    await w.clock.tick(WS.reconnectGraceMs + LIVE.tickMs);
    expect(w.gate.calls.filter((c) => c === `abandon ${stale}`)).toHaveLength(1);
  });

  it('seats in a room whose call ended normally are left alone (their holders may not have entered yet)', async () => {
    const w = setup();
    startHub(w);
    const host = randomUUID();
    w.gate.unattended = [];
    w.gate.held = [{ roomId: ROOM, userId: host }];
    await w.clock.tick(LIVE.expiryMs * 10 + WS.reconnectGraceMs);
    expect(w.gate.calls).toEqual([]);
  });

  it('a room that is occupied is not marked empty, and a seat whose holder is connected keeps it', async () => {
    const w = setup();
    const hub = startHub(w);
    const holder = user('Holder');
    const s = await inRoom(w, hub, token(w, holder, 's', 3600_000));
    w.gate.unattended = [ROOM];
    w.gate.held = [{ roomId: ROOM, userId: holder.id }];
    w.gate.calls.length = 0;
    await live(w, LIVE.expiryMs + WS.reconnectGraceMs + LIVE.tickMs, s);
    expect(w.gate.calls).toEqual([]);
  });
});
