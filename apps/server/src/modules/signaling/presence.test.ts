import { randomUUID } from 'node:crypto';
import type { LobbyEntry, User } from '@parley/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Timers } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import type { LiveState } from '../../platform/live/index.js';
import { PRESENCE_KEY } from '../../platform/live/presence.js';
import type { TokenSession } from './deps.js';
import type { UserPresence } from './features.js';
import type { RoomGate } from './gate.js';
import { createHub } from './hub.js';
import type { Hub } from './hub.js';
import { OFFLINE_CHECKS, OFFLINE_DELAY_MS } from './presence.js';
import { frozenTimers, noCalls, noChat, noPlayback, roomSummary } from './test-fakes.js';
import { FakeSocket } from './test-socket.js';

// Presence as the socket layer decides it, on fake time and fake sockets, with one or
// two hubs ("processes") on one memory live state: who is online, when they go offline,
// and that nothing of it leaks into the room code. Nothing here waits on a real timer.

const WS: Config['ws'] = {
  helloTimeoutMs: 5_000,
  heartbeatIntervalMs: 20_000,
  deadAfterMs: 45_000,
  reconnectGraceMs: 120_000,
};
const LIVE: Config['live'] = { expiryMs: 30_000, tickMs: 1_000 };
const ROOM = '00000000-0000-4000-8000-00000000bbbb';

/** What the contacts module would hear, by display name, with the offline time. */
class Recorder implements UserPresence {
  readonly heard: string[] = [];
  failing = false;
  constructor(private readonly names: Map<string, string>) {}
  online(userId: string) {
    if (this.failing) return Promise.reject(new Error('database away'));
    this.heard.push(`online ${this.names.get(userId)}`);
    return Promise.resolve();
  }
  offline(userId: string, at: Date) {
    if (this.failing) return Promise.reject(new Error('database away'));
    this.heard.push(`offline ${this.names.get(userId)} ${at.toISOString()}`);
    return Promise.resolve();
  }
}

/** Lets everyone in; records every call, so a presence key reaching it shows. */
class OpenGate implements RoomGate {
  readonly calls: string[] = [];
  enter(roomId: string) {
    this.calls.push(`enter ${roomId}`);
    return Promise.resolve({
      role: 'participant' as const,
      room: roomSummary(roomId),
      lobby: undefined as LobbyEntry[] | undefined,
      spotlight: null,
    });
  }
  leave(roomId: string) {
    this.calls.push(`leave ${roomId}`);
    return Promise.resolve();
  }
  abandon(roomId: string) {
    this.calls.push(`abandon ${roomId}`);
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
    return Promise.resolve([]);
  }
  unattendedRooms() {
    return Promise.resolve([]);
  }
}

/** A process that stalls (a long pause) and then goes on: its timers skip while paused. */
function stallable(inner: Timers) {
  let paused = false;
  const skipWhilePaused = (fn: () => void) => () => {
    if (!paused) fn();
  };
  const timers: Timers = {
    monotonic: () => inner.monotonic(),
    setTimeout: (fn, ms) => inner.setTimeout(skipWhilePaused(fn), ms),
    setInterval: (fn, ms) => inner.setInterval(skipWhilePaused(fn), ms),
    clear: (id) => inner.clear(id),
  };
  return {
    timers,
    pause: () => void (paused = true),
    resume: () => void (paused = false),
  };
}

type World = {
  clock: ManualClock;
  live: LiveState;
  gate: OpenGate;
  presence: Recorder;
  names: Map<string, string>;
  sessions: Map<string, TokenSession>;
};

function setup(): World {
  const clock = new ManualClock();
  const names = new Map<string, string>();
  return {
    clock,
    live: createMemoryLiveState(clock),
    gate: new OpenGate(),
    presence: new Recorder(names),
    names,
    sessions: new Map(),
  };
}

function startHub(w: World, timers: Timers = w.clock, processId: string = randomUUID()): Hub {
  return createHub(
    {
      live: w.live,
      processId,
      gate: w.gate,
      chat: noChat,
      playback: noPlayback,
      calls: noCalls,
      presence: w.presence,
      clock: w.clock,
      timers,
      sessionForToken: (token) => {
        const s = w.sessions.get(token);
        return s ? Promise.resolve(s) : Promise.reject(new AppError('INVALID_TOKEN', 401, 'no'));
      },
      allowedOrigins: [],
      ws: WS,
      liveTiming: LIVE,
    },
    pino({ level: 'silent' }),
  );
}

function person(w: World, name: string, isGuest = false): { user: User; token: string } {
  const user: User = {
    id: randomUUID(),
    email: null,
    displayName: name,
    role: 'member',
    isGuest,
    createdAt: w.clock.now().toISOString(),
    lastSeenAt: null,
  };
  w.names.set(user.id, name);
  const token = `t-${randomUUID()}`;
  w.sessions.set(token, {
    user,
    sessionId: randomUUID(),
    expiresAt: new Date(w.clock.now().getTime() + 3600_000),
  });
  return { user, token };
}

async function connect(w: World, hub: Hub, token: string, resume?: string): Promise<FakeSocket> {
  const s = new FakeSocket();
  hub.accept(s.asWebSocket(), '127.0.0.1');
  s.receive({ type: 'hello', token, protocolVersion: 1, ...(resume ? { resume } : {}) });
  await w.clock.tick(0);
  expect(s.of('welcome')).toHaveLength(1);
  return s;
}

async function join(w: World, s: FakeSocket): Promise<void> {
  const before = s.of('room.joined').length;
  s.receive({ type: 'room.join', roomId: ROOM });
  await w.clock.tick(0);
  expect(s.of('room.joined')).toHaveLength(before + 1);
}

/** Moves time by `ms` while `alive` sockets answer every ping, as healthy clients do. */
async function pass(w: World, ms: number, ...alive: FakeSocket[]): Promise<void> {
  for (let left = ms; left > 0; left -= LIVE.tickMs) {
    await w.clock.tick(Math.min(left, LIVE.tickMs));
    for (const s of alive) s.pong();
  }
}

const at = (w: World, msFromNow = 0) => new Date(w.clock.now().getTime() + msFromNow).toISOString();

describe('presence on the socket layer', () => {
  it("a member's first socket makes them online; a second tab and closing one of two change nothing", async () => {
    const w = setup();
    const hub = startHub(w);
    const ada = person(w, 'Ada');
    const tab1 = await connect(w, hub, ada.token);
    expect(w.presence.heard).toEqual(['online Ada']);
    const tab2 = await connect(w, hub, ada.token);
    tab1.drop();
    await pass(w, 3 * OFFLINE_DELAY_MS, tab2);
    expect(w.presence.heard).toEqual(['online Ada']);
    expect(await w.live.roster.countUserConnections(PRESENCE_KEY, ada.user.id)).toBe(1);
  });

  it('the last socket closing makes them offline after OFFLINE_DELAY_MS, not before, at the time it was found', async () => {
    const w = setup();
    const hub = startHub(w);
    const ada = person(w, 'Ada');
    (await connect(w, hub, ada.token)).drop();
    await w.clock.tick(0);
    await pass(w, OFFLINE_DELAY_MS - LIVE.tickMs);
    expect(w.presence.heard).toEqual(['online Ada']);
    await pass(w, LIVE.tickMs);
    expect(w.presence.heard).toEqual(['online Ada', `offline Ada ${at(w)}`]);
    await pass(w, 3 * OFFLINE_DELAY_MS);
    expect(w.presence.heard).toHaveLength(2);
  });

  it('a reload within the delay says nothing: no offline, no second online', async () => {
    const w = setup();
    const hub = startHub(w);
    const ada = person(w, 'Ada');
    (await connect(w, hub, ada.token)).drop();
    await pass(w, OFFLINE_DELAY_MS - LIVE.tickMs);
    const again = await connect(w, hub, ada.token);
    expect(await w.live.deadlines(OFFLINE_CHECKS).get(ada.user.id)).toBeUndefined();
    await pass(w, 3 * OFFLINE_DELAY_MS, again);
    expect(w.presence.heard).toEqual(['online Ada']);
  });

  it('coming back after the offline notice is a new online', async () => {
    const w = setup();
    const hub = startHub(w);
    const ada = person(w, 'Ada');
    (await connect(w, hub, ada.token)).drop();
    await pass(w, OFFLINE_DELAY_MS + LIVE.tickMs);
    await connect(w, hub, ada.token);
    expect(w.presence.heard.map((h) => h.split(' ')[0])).toEqual(['online', 'offline', 'online']);
  });

  it('guests have no presence at all', async () => {
    const w = setup();
    const hub = startHub(w);
    const guest = person(w, 'Visitor', true);
    const s = await connect(w, hub, guest.token);
    await join(w, s);
    s.drop();
    await pass(w, 3 * OFFLINE_DELAY_MS);
    expect(w.presence.heard).toEqual([]);
    expect(await w.live.roster.list(PRESENCE_KEY)).toEqual([]);
  });

  it('a socket in a call counts; leaving the call changes nothing, closing it is the last socket going', async () => {
    const w = setup();
    const hub = startHub(w);
    const ada = person(w, 'Ada');
    const s = await connect(w, hub, ada.token);
    await join(w, s);
    s.receive({ type: 'room.leave' });
    await pass(w, 3 * OFFLINE_DELAY_MS, s);
    expect(w.presence.heard).toEqual(['online Ada']);
    await join(w, s);
    s.drop();
    await pass(w, OFFLINE_DELAY_MS + LIVE.tickMs);
    expect(w.presence.heard.map((h) => h.split(' ')[0])).toEqual(['online', 'offline']);
    // The presence key never reached the room code.
    expect(w.gate.calls.filter((c) => c.includes(PRESENCE_KEY))).toEqual([]);
  });

  it('a reporter that fails never breaks a hello, a call or a close', async () => {
    const w = setup();
    const hub = startHub(w);
    w.presence.failing = true;
    const ada = person(w, 'Ada');
    const s = await connect(w, hub, ada.token);
    await join(w, s);
    expect(s.closedWith).toBeUndefined();
    s.drop();
    await pass(w, OFFLINE_DELAY_MS + LIVE.tickMs);
    expect(await w.live.roster.list(PRESENCE_KEY)).toEqual([]);
    expect(await w.live.roster.list(ROOM)).toEqual([]);
    // Told once the reporter works again: the check is retried, not dropped.
    w.presence.failing = false;
    await pass(w, OFFLINE_DELAY_MS + LIVE.tickMs);
    expect(w.presence.heard.map((h) => h.split(' ')[0])).toEqual(['offline']);
  });
});

describe('presence across processes', () => {
  it('a process that dies: its people go offline through another within expiry + delay; one who reconnected elsewhere stays online, and no room hears of it', async () => {
    const w = setup();
    const alive = startHub(w, w.clock, 'alive');
    // Runs its first upkeep at start, then never again: it was killed.
    const dead = startHub(w, frozenTimers, 'dead');
    const ada = person(w, 'Ada');
    const bob = person(w, 'Bob');
    const watcher = await connect(w, alive, person(w, 'Watcher').token);
    await join(w, watcher);
    await connect(w, dead, ada.token);
    await connect(w, dead, bob.token);
    // Bob's client noticed and reconnected to the live process before the sweep.
    const bobAgain = await connect(w, alive, bob.token);
    expect(w.presence.heard).toEqual(['online Watcher', 'online Ada', 'online Bob']);

    await pass(w, LIVE.expiryMs + LIVE.tickMs, watcher, bobAgain);
    expect(await w.live.roster.countUserConnections(PRESENCE_KEY, ada.user.id)).toBe(0);
    expect(w.presence.heard).toHaveLength(3); // swept, but a reload could still be on its way
    await pass(w, OFFLINE_DELAY_MS + LIVE.tickMs, watcher, bobAgain);
    expect(w.presence.heard.slice(3)).toEqual([expect.stringMatching(/^offline Ada /)]);
    expect(watcher.of('participant.left')).toEqual([]);
    expect(w.gate.calls.filter((c) => c.includes(PRESENCE_KEY))).toEqual([]);
  });

  it('a handed-over connection resumed on another process is no new arrival and no departure', async () => {
    const w = setup();
    const stopping = startHub(w, w.clock, 'stopping');
    const other = startHub(w, w.clock, 'other');
    const ada = person(w, 'Ada');
    const s = await connect(w, stopping, ada.token);
    await join(w, s);
    const { resumeToken, connectionId } = s.of('welcome')[0]!;
    const closing = stopping.close();
    await w.clock.tick(0);
    await closing;
    expect(s.closedWith?.code).toBe(1012);

    const back = await connect(w, other, ada.token, resumeToken);
    expect(back.of('welcome')[0]).toMatchObject({ connectionId, resumed: true });
    await pass(w, 3 * OFFLINE_DELAY_MS, back);
    expect(w.presence.heard).toEqual(['online Ada']);
    const entries = await w.live.roster.list(PRESENCE_KEY);
    expect(entries.map((e) => e.connectionId)).toEqual([connectionId]);
  });

  it('a process swept while it stalled registers its open sockets again: nobody outside a call looks offline', async () => {
    const w = setup();
    const stall = stallable(w.clock);
    const slow = startHub(w, stall.timers, 'slow');
    const sweeper = startHub(w, w.clock, 'sweeper');
    const reader = person(w, 'Reader'); // signed in, in no call
    const caller = person(w, 'Caller'); // in a call: resynced with 1012, as before
    const r = await connect(w, slow, reader.token);
    const c = await connect(w, slow, caller.token);
    await join(w, c);
    const witness = await connect(w, sweeper, person(w, 'Witness').token);

    stall.pause();
    await pass(w, LIVE.expiryMs + 2 * LIVE.tickMs, r, c, witness);
    expect(await w.live.roster.list(PRESENCE_KEY)).toHaveLength(1); // only the witness
    stall.resume();
    await pass(w, LIVE.tickMs, r, c, witness);
    expect(c.closedWith?.code).toBe(1012);
    expect(r.closedWith).toBeUndefined();

    await pass(w, 3 * OFFLINE_DELAY_MS, r, witness);
    const entries = await w.live.roster.list(PRESENCE_KEY);
    expect(entries.map((e) => w.names.get(e.userId)).sort()).toEqual(['Reader', 'Witness']);
    // The caller's client did not come back (in this test): offline. The reader never was.
    expect(w.presence.heard.slice(3)).toEqual([expect.stringMatching(/^offline Caller /)]);
  });
});
