import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LobbyEntry, ParticipantRole, User } from '@parley/protocol';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, systemTimers } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import type { Bus, LiveState, Roster } from '../../platform/live/index.js';
import type { RoomGate } from './gate.js';
import { registerSignaling } from './routes.js';
import type { Signaling } from './routes.js';
import { noCalls, noChat, noPlayback, noPresence, roomSummary } from './test-fakes.js';
import { TestClient } from './test-client.js';
import type { JoinRefused } from './test-client.js';
import { FAST_LIVE, FAST_WS, eventually, serverSockets } from './test-server.js';

// Interleavings the REST-driven tests cannot time: a gate that can be held mid-decision,
// so a kick, a closure or a disconnect lands exactly while a room.join is in flight.

class HeldGate implements RoomGate {
  readonly calls: string[] = [];
  readonly approved = new Set<string>();
  maxUsers = Infinity;
  private hold: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private entered: (() => void) | undefined;

  constructor(private readonly roster: Roster) {}

  /** The next enter() waits; resolves once it is waiting. Call `open()` to let it go on. */
  holdNextEnter(): Promise<void> {
    this.hold = new Promise((r) => (this.release = r));
    return new Promise((r) => (this.entered = r));
  }

  open(): void {
    this.release?.();
    this.hold = undefined;
  }

  async enter(roomId: string, user: User) {
    this.calls.push(`enter ${user.displayName}`);
    if (this.hold) {
      this.entered?.();
      await this.hold;
    }
    if (!this.approved.has(`${roomId}/${user.id}`)) {
      throw new AppError('NOT_APPROVED', 403, 'Not admitted.');
    }
    const present = (await this.roster.list(roomId)).some((e) => e.userId === user.id);
    if (!present && (await this.roster.countUsers(roomId)) >= this.maxUsers) {
      throw new AppError('ROOM_FULL', 409, 'The room is full.');
    }
    return {
      role: 'participant' as ParticipantRole,
      room: roomSummary(roomId),
      lobby: undefined as LobbyEntry[] | undefined,
      spotlight: null,
    };
  }
  leave(_roomId: string, userId: string) {
    this.calls.push(`leave ${userId}`);
    return Promise.resolve();
  }
  abandon(_roomId: string, userId: string) {
    this.calls.push(`abandon ${userId}`);
    return Promise.resolve();
  }
  occupied() {
    this.calls.push('occupied');
    return Promise.resolve({ meetingStartedAt: new Date(0).toISOString() });
  }
  emptied() {
    this.calls.push('emptied');
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

let app: FastifyInstance;
let signaling: Signaling;
let serverSide: Set<WebSocket>;
let live: LiveState;
let bus: Bus;
let roster: Roster;
let gate: HeldGate;
let url: string;
const users = new Map<string, User>();
const clients: TestClient[] = [];
const roomId = randomUUID();

beforeEach(async () => {
  live = createMemoryLiveState(systemClock);
  ({ bus, roster } = live);
  gate = new HeldGate(roster);
  app = Fastify();
  signaling = registerSignaling(app, {
    live,
    processId: 'races',
    gate,
    // These races are about membership; chat and the player stay empty.
    chat: noChat,
    playback: noPlayback,
    calls: noCalls,
    presence: noPresence,
    clock: systemClock,
    timers: systemTimers,
    sessionForToken: (token) => {
      const user = users.get(token);
      return user
        ? Promise.resolve({ user, sessionId: 's', expiresAt: new Date(Date.now() + 3600_000) })
        : Promise.reject(new AppError('INVALID_TOKEN', 401, 'no'));
    },
    allowedOrigins: [],
    ws: FAST_WS,
    liveTiming: FAST_LIVE,
  });
  serverSide = serverSockets(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.terminate()));
  await signaling.close();
  await app.close();
});

/** A user approved for the room, with a connected socket. */
async function person(name: string, approve = true): Promise<{ user: User; c: TestClient }> {
  const user: User = {
    id: randomUUID(),
    email: null,
    displayName: name,
    role: 'member',
    isGuest: true,
    createdAt: new Date().toISOString(),
    lastSeenAt: null,
  };
  const token = `token-${user.id}`;
  users.set(token, user);
  if (approve) gate.approved.add(`${roomId}/${user.id}`);
  const c = await TestClient.connect(url, token);
  clients.push(c);
  return { user, c };
}

async function tab(user: User): Promise<TestClient> {
  const c = await TestClient.connect(url, `token-${user.id}`);
  clients.push(c);
  return c;
}

const connectionIds = async () => (await roster.list(roomId)).map((e) => e.connectionId).sort();

describe('joins racing other events', () => {
  it('a kick that lands while a room.join is past the gate still removes that connection with 4010', async () => {
    const a = await person('A');
    await a.c.join(roomId);
    const b = await person('B');
    const waiting = gate.holdNextEnter();
    const joining = b.c.join(roomId).catch(() => undefined);
    await waiting;
    await bus.toUser(b.user.id, { type: 'participant.kicked', roomId });
    gate.open();
    await joining;

    expect(await b.c.next('participant.kicked')).toEqual({ type: 'participant.kicked', roomId });
    expect(await b.c.whenClosed()).toEqual({ code: 4010, reason: 'KICKED_FROM_ROOM' });
    expect(await connectionIds()).toEqual([a.c.connectionId]);
  });

  it('a room closure that lands while a room.join is past the gate closes that connection with 4011', async () => {
    const b = await person('B');
    const waiting = gate.holdNextEnter();
    const joining = b.c.join(roomId).catch(() => undefined);
    await waiting;
    // What rooms.close does: the notice to the room (b is not in it yet), then the event.
    await bus.toRoom(roomId, { type: 'room.closed', roomId, reason: 'ended' });
    const closed = bus.emit({ type: 'room.closed', roomId, reason: 'ended' });
    gate.open();
    await closed;
    await joining;
    expect(await b.c.whenClosed()).toEqual({ code: 4011, reason: 'ROOM_CLOSED' });
    expect(await connectionIds()).toEqual([]);
  });

  it('a socket that closes while the gate decides leaves nothing in the roster and tells no one', async () => {
    const a = await person('A');
    await a.c.join(roomId);
    const b = await person('B');
    const waiting = gate.holdNextEnter();
    b.c.send({ type: 'room.join', roomId });
    await waiting;
    await b.c.terminate();
    await eventually(() => serverSide.size === 1, 'the server saw the close');
    gate.open();
    await a.c.expectNo('participant.joined', 100);
    expect(await connectionIds()).toEqual([a.c.connectionId]);
    expect(gate.calls.filter((c) => c === 'emptied')).toEqual([]);
  });

  it('two joins at once are decided one after the other, so the gate capacity check holds', async () => {
    gate.maxUsers = 2;
    const a = await person('A');
    await a.c.join(roomId);
    const [b, c] = [await person('B'), await person('C')];
    const outcomes = await Promise.all(
      [b.c, c.c].map((x) =>
        x.join(roomId).then(
          () => 'joined',
          (e: unknown) => (e as JoinRefused).code,
        ),
      ),
    );
    expect(outcomes.sort()).toEqual(['ROOM_FULL', 'joined']);
    expect(await roster.countUsers(roomId)).toBe(2);
  });

  it('a kick for one room does not touch the same user in another room', async () => {
    const b = await person('B');
    await b.c.join(roomId);
    await bus.toUser(b.user.id, { type: 'participant.kicked', roomId: randomUUID() });
    await b.c.next('participant.kicked');
    b.c.send({ type: 'ping', ref: 'still' });
    await b.c.next('pong');
    expect(await connectionIds()).toEqual([b.c.connectionId]);
  });
});

describe('what the rooms module is told', () => {
  it('occupied on the first connection, emptied on the last, leave only when the user has no tab left', async () => {
    const u = await person('U');
    const t2 = await tab(u.user);
    await u.c.join(roomId);
    await t2.join(roomId);
    u.c.send({ type: 'room.leave' });
    await t2.next('participant.left');
    expect(gate.calls).toEqual(['enter U', 'occupied', 'enter U']);
    t2.send({ type: 'room.leave' });
    t2.send({ type: 'ping', ref: 'sync' });
    await t2.next('pong');
    expect(gate.calls).toEqual(['enter U', 'occupied', 'enter U', 'emptied', `leave ${u.user.id}`]);
  });

  it('a dropped connection releases the seat only after the grace, and not if the user came back', async () => {
    const watcher = await person('W');
    await watcher.c.join(roomId);
    const back = await person('Back');
    await back.c.join(roomId);
    await back.c.terminate();
    await watcher.c.next('participant.left');
    await (await tab(back.user)).join(roomId); // back within the grace

    const gone = await person('Gone');
    await gone.c.join(roomId);
    await gone.c.terminate();
    await watcher.c.next('participant.left', {
      match: (m) => m.userId === gone.user.id,
    });
    // The exact grace is checked on fake time in hub.test.ts; here, the order of events.
    expect(gate.calls).not.toContain(`abandon ${gone.user.id}`);
    await eventually(() => gate.calls.includes(`abandon ${gone.user.id}`), 'the seat is released');
    // Back's grace started earlier, so it would have fired by now.
    expect(gate.calls).not.toContain(`abandon ${back.user.id}`);
  });
});

describe('shutdown', () => {
  it("Fastify's own close drains the sockets (server.draining, then 1012) instead of hanging on them", async () => {
    const a = await person('A');
    await a.c.join(roomId);
    await app.close();
    expect(await a.c.next('server.draining')).toEqual({ type: 'server.draining' });
    expect(await a.c.whenClosed()).toEqual({ code: 1012, reason: 'SERVICE_UNAVAILABLE' });
    // Handed over, not ended: the entry waits for the client to resume it elsewhere
    // (handover.test.ts); whatever nobody resumes is swept with the process's lease.
    expect(await connectionIds()).toEqual([a.c.connectionId]);
  });
});
