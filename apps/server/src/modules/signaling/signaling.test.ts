import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { JoinRefused } from './test-client.js';
import type { TestClient } from './test-client.js';
import { FAST_WS, SignalingServer, eventually } from './test-server.js';
import type { Person } from './test-server.js';

// Integration: the real app (REST rooms + /ws) on a random port, real `ws` clients.

let s: SignalingServer;
beforeAll(async () => {
  s = await SignalingServer.start();
});
afterEach(async () => {
  await s.closeClients();
});
afterAll(async () => {
  await s.close();
});

const offer = (label: string) => ({ type: 'offer', sdp: `v=0\r\no=- ${label}\r\n` });
const answer = (label: string) => ({ type: 'answer', sdp: `v=0\r\no=- ${label}\r\n` });
const candidate = (label: string) => ({
  candidate: `candidate:${label} 1 udp 2122260223 192.0.2.1 54400 typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

/** Every message written to `c` before this resolves has arrived (one socket is ordered). */
async function flush(c: TestClient): Promise<void> {
  const ref = `flush-${Math.random()}`;
  c.send({ type: 'ping', ref });
  await c.next('pong', { match: (m) => m.ref === ref });
}

async function joinError(c: TestClient, roomId: string): Promise<string> {
  const err = await c.join(roomId).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JoinRefused);
  return (err as JoinRefused).code;
}

/** An open room with its host; everyone else gets in over REST as `approved`. */
async function openRoom(): Promise<{ host: Person; roomId: string }> {
  const host = await s.member('host');
  return { host, roomId: await s.createRoom(host) };
}

async function approved(roomId: string, name = 'guest'): Promise<Person> {
  const p = await s.guest(name);
  expect(await s.enter(p, roomId)).toBe('approved');
  return p;
}

describe('session', () => {
  it('welcome echoes the hello ref with a fresh connection id and the heartbeat interval; ping gets pong with the server time', async () => {
    const guest = await s.guest();
    const ids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const c = await s.open();
      c.send({ type: 'hello', token: guest.token, protocolVersion: 1, ref: 'h1' });
      const welcome = await c.next('welcome');
      expect(welcome).toEqual({
        type: 'welcome',
        ref: 'h1',
        connectionId: expect.stringMatching(/^c_[A-Za-z0-9_-]{16}$/),
        userId: guest.id,
        serverTime: expect.any(Number),
        heartbeatIntervalMs: FAST_WS.heartbeatIntervalMs,
        tokenExpiresAt: expect.any(Number),
        // 18 random bytes, a fresh one per connection.
        resumeToken: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
        resumed: false,
      });
      // The access token lives 15 minutes; the socket is told when it ends.
      expect(welcome.tokenExpiresAt - welcome.serverTime).toBeGreaterThan(14 * 60_000);
      expect(welcome.tokenExpiresAt - welcome.serverTime).toBeLessThanOrEqual(15 * 60_000);
      ids.add(welcome.connectionId);
      const before = Date.now();
      c.send({ type: 'ping', ref: 'p1' });
      const pong = await c.next('pong');
      expect(pong).toEqual({ type: 'pong', ref: 'p1', serverTime: expect.any(Number) });
      expect(Math.abs(pong.serverTime - before)).toBeLessThan(1_000);
    }
    expect(ids.size).toBe(2);
  });
});

describe('relaying negotiation', () => {
  it('three participants exchange offers, answers and candidates, and each receives only what was addressed to it, from the real sender', async () => {
    const { host, roomId } = await openRoom();
    const pb = await approved(roomId, 'B');
    const pc = await approved(roomId, 'C');
    const a = await s.inRoom(host, roomId);
    const b = await s.inRoom(pb, roomId);
    const c = await s.inRoom(pc, roomId);
    const clients = { a, b, c };
    type Name = keyof typeof clients;

    const expected = new Map<TestClient, unknown[]>([
      [a, []],
      [b, []],
      [c, []],
    ]);
    const send = (from: Name, to: Name, payload: Record<string, unknown>) => {
      clients[from].send({ type: 'signal', to: clients[to].connectionId, ...payload });
      expected.get(clients[to])!.push({
        type: 'signal',
        from: clients[from].connectionId,
        fromUserId: clients[from].userId,
        ...payload,
      });
    };

    // A forged sender is refused by the strict schema and relayed to no one.
    a.send({
      type: 'signal',
      ref: 'forged',
      to: b.connectionId,
      from: c.connectionId,
      description: offer('forged'),
    });
    const forged = await a.next('error', { match: (m) => m.ref === 'forged' });
    expect(forged).toMatchObject({
      code: 'INVALID_MESSAGE',
      details: { fields: { message: [expect.any(String)] } },
    });

    send('a', 'b', { description: offer('a-b') });
    send('a', 'b', { candidate: candidate('a-b-1') });
    send('a', 'c', { description: offer('a-c') });
    send('b', 'a', { description: answer('b-a') });
    send('b', 'c', { description: offer('b-c') });
    send('c', 'a', { description: answer('c-a') });
    send('c', 'b', { description: answer('c-b') });
    send('c', 'a', { candidate: candidate('c-a-1') });
    send('b', 'a', { candidate: candidate('b-a-1') });
    send('a', 'c', { candidate: candidate('a-c-1') });
    send('c', 'b', { candidate: candidate('c-b-1') });
    send('a', 'b', { candidate: candidate('a-b-2') });
    send('a', 'b', { candidate: null });

    for (const [client, messages] of expected) {
      const got = [];
      for (let i = 0; i < messages.length; i++) got.push(await client.next('signal'));
      // Same messages, and each sender's in the order it sent them (offer before candidates).
      for (const sender of [a, b, c]) {
        const only = (list: unknown[]) =>
          list.filter((m) => (m as { from: string }).from === sender.connectionId);
        expect(only(got)).toEqual(only(messages));
      }
      await flush(client);
      expect(client.peekAll('signal')).toEqual([]);
    }
  });

  it('a participant of room A can never send to or hear room B', async () => {
    const roomA = await openRoom();
    const roomB = await openRoom();
    const a1 = await s.inRoom(roomA.host, roomA.roomId);
    const a2 = await s.inRoom(await approved(roomA.roomId), roomA.roomId);
    const b1 = await s.inRoom(roomB.host, roomB.roomId);
    const b2 = await s.inRoom(await approved(roomB.roomId), roomB.roomId);
    await b1.next('participant.joined');

    // Sending across rooms: refused without saying the target exists.
    a1.send({ type: 'signal', ref: 'x', to: b1.connectionId, description: offer('cross') });
    expect(await a1.next('error', { match: (m) => m.ref === 'x' })).toMatchObject({
      code: 'TARGET_NOT_FOUND',
    });

    // Everything room B does stays in room B.
    b2.send({ type: 'media.update', audio: true, video: false, screen: false });
    await b1.next('participant.updated');
    b1.send({ type: 'signal', to: b2.connectionId, description: offer('b') });
    await b2.next('signal');
    const b3 = await s.inRoom(await approved(roomB.roomId), roomB.roomId);
    await b1.next('participant.joined', {
      match: (m) => m.participant.connectionId === b3.connectionId,
    });
    b2.send({ type: 'room.leave' });
    await b1.next('participant.left');

    for (const c of [a1, a2]) {
      await flush(c);
      const heard = c.received.filter(
        (m) => ('roomId' in m && m.roomId === roomB.roomId) || m.type === 'signal',
      );
      expect(heard).toEqual([]);
      expect(c.received.filter((m) => m.type === 'signal')).toEqual([]);
    }
    expect(b1.peekAll('signal')).toEqual([]);
  });
});

describe('lobby', () => {
  it('the host hears lobby.requested the moment someone knocks; a pending person cannot join until admitted, is told on the same socket, then joins without reconnecting', async () => {
    const host = await s.member('host');
    const roomId = await s.createRoom(host, { entry: 'approval' });
    const h = await s.inRoom(host, roomId);

    const visitor = await s.guest('Visitor');
    const v = await s.connect(visitor);
    expect(await s.enter(visitor, roomId)).toBe('pending');
    expect(await h.next('lobby.requested')).toMatchObject({
      roomId,
      user: { id: visitor.id, displayName: 'Visitor', isGuest: true },
      requestedAt: expect.any(String),
    });
    // A second host tab joining now sees who waits.
    const h2 = await s.inRoom(host, roomId);
    const joinedH2 = h2.received.find((m) => m.type === 'room.joined');
    expect(joinedH2).toMatchObject({ lobby: [{ user: { id: visitor.id } }] });

    expect(await joinError(v, roomId)).toBe('NOT_APPROVED');
    // Waiting, they hear nothing from the room.
    h.send({ type: 'media.update', audio: true, video: true, screen: false });
    await h.next('participant.updated');
    await flush(v);
    expect(v.peekAll('participant.updated')).toEqual([]);
    expect(v.peekAll('participant.joined')).toEqual([]);

    await s.decide(host, roomId, visitor.id, 'admit');
    expect(await v.next('lobby.admitted')).toEqual({ type: 'lobby.admitted', roomId });
    expect(await h.next('lobby.resolved')).toMatchObject({
      userId: visitor.id,
      outcome: 'admitted',
    });

    const joined = await v.join(roomId);
    expect(joined.self).toEqual({
      connectionId: v.connectionId,
      userId: visitor.id,
      role: 'participant',
    });
    expect(joined.lobby).toEqual([]);
    expect(joined.participants.map((p) => p.connectionId).sort()).toEqual(
      [h.connectionId, h2.connectionId].sort(),
    );
    const heard = await h.next('participant.joined', {
      match: (m) => m.participant.userId === visitor.id,
    });
    expect(heard).toMatchObject({
      roomId,
      participant: { connectionId: v.connectionId, displayName: 'Visitor', role: 'participant' },
    });
  });

  it('a denied person gets lobby.denied and cannot join', async () => {
    const host = await s.member('host');
    const roomId = await s.createRoom(host, { entry: 'approval' });
    const h = await s.inRoom(host, roomId);
    const visitor = await s.guest();
    const v = await s.connect(visitor);
    expect(await s.enter(visitor, roomId)).toBe('pending');
    await h.next('lobby.requested');

    await s.decide(host, roomId, visitor.id, 'deny');
    expect(await v.next('lobby.denied')).toEqual({
      type: 'lobby.denied',
      roomId,
      reason: 'denied',
    });
    expect(await joinError(v, roomId)).toBe('JOIN_DENIED');
    await flush(v); // the socket itself stays
  });
});

describe('removal', () => {
  it('a kicked person gets participant.kicked, is closed with 4010, leaves the others roster and cannot room.join again', async () => {
    const { host, roomId } = await openRoom();
    const victim = await approved(roomId, 'Victim');
    const h = await s.inRoom(host, roomId);
    const v = await s.inRoom(victim, roomId);
    const otherTab = await s.connect(victim); // same user, not in the call
    await h.next('participant.joined');

    await s.decide(host, roomId, victim.id, 'kick');
    expect(await v.next('participant.kicked')).toEqual({ type: 'participant.kicked', roomId });
    expect(await v.whenClosed()).toEqual({ code: 4010, reason: 'KICKED_FROM_ROOM' });
    expect(await h.next('participant.left')).toEqual({
      type: 'participant.left',
      roomId,
      connectionId: v.connectionId,
      userId: victim.id,
      reason: 'kicked',
    });

    // The other tab hears it too, keeps its socket, and cannot get in.
    expect(await otherTab.next('participant.kicked')).toEqual({
      type: 'participant.kicked',
      roomId,
    });
    expect(await joinError(otherTab, roomId)).toBe('KICKED_FROM_ROOM');
    const again = await s.connect(victim);
    expect(await joinError(again, roomId)).toBe('KICKED_FROM_ROOM');

    // A member: a new guest from the kicked guest's address (every test client is
    // 127.0.0.1) would wait in the lobby, which another test covers.
    const member = await s.member('newcomer');
    expect(await s.enter(member, roomId)).toBe('approved');
    const newcomer = await s.inRoom(member, roomId);
    const roster = newcomer.received.find((m) => m.type === 'room.joined');
    expect(roster).toMatchObject({ participants: [{ connectionId: h.connectionId }] });
    expect(roster && 'participants' in roster && roster.participants).toHaveLength(1);
  });

  it('ending the room sends everyone in it room.closed and closes them with 4011; a waiting knocker is told and keeps its socket', async () => {
    const host = await s.member('host');
    const roomId = await s.createRoom(host, { entry: 'approval' });
    const guest = await s.guest();
    await s.enter(guest, roomId);
    await s.decide(host, roomId, guest.id, 'admit');
    const h = await s.inRoom(host, roomId);
    const g = await s.inRoom(guest, roomId);
    const knocker = await s.guest('Knocker');
    const k = await s.connect(knocker);
    expect(await s.enter(knocker, roomId)).toBe('pending');

    await s.end(host, roomId);
    for (const c of [h, g]) {
      expect(await c.next('room.closed')).toEqual({ type: 'room.closed', roomId, reason: 'ended' });
      expect(await c.whenClosed()).toEqual({ code: 4011, reason: 'ROOM_CLOSED' });
      expect(c.peekAll('participant.left')).toEqual([]);
    }
    expect(await k.next('room.closed')).toMatchObject({ roomId });
    await flush(k);
    const { body } = await s.api('GET', `/api/rooms/${roomId}`, host);
    expect(body.room).toMatchObject({ status: 'closed', participantCount: 0 });
  });
});

describe('liveness and reconnection', () => {
  it('a dead connection (no pongs, nothing sent) disappears from the roster within the heartbeat limit', async () => {
    const { host, roomId } = await openRoom();
    const h = await s.inRoom(host, roomId);
    const dead = await s.open({ autoPong: false });
    const ghost = await approved(roomId, 'Ghost');
    await dead.hello(ghost.token);
    await dead.join(roomId);
    // The exact timing rule is checked on fake time in hub.test.ts; here, that it happens.
    const left = await h.next('participant.left', { timeoutMs: 10_000 });
    expect(left).toMatchObject({ connectionId: dead.connectionId, reason: 'timeout' });
    expect((await dead.whenClosed()).code).toBe(1006);
  });

  it('a dropped user who reconnects within the grace rejoins without REST; one who does not loses the seat', async () => {
    // Its own server on a clock only the test moves: "within the grace" and "past it"
    // are decided by the test, never by how fast this machine happens to be.
    const clock = new ManualClock(new Date());
    const own = await SignalingServer.start({}, { clock });
    try {
      const host = await own.member('host');
      const roomId = await own.createRoom(host);
      const h = await own.inRoom(host, roomId);
      const guest = await own.guest('guest');
      expect(await own.enter(guest, roomId)).toBe('approved');
      const g1 = await own.inRoom(guest, roomId);
      await g1.terminate();
      expect(await h.next('participant.left')).toMatchObject({
        connectionId: g1.connectionId,
        reason: 'disconnected',
      });

      const g2 = await own.inRoom(guest, roomId); // no time has passed: within the grace
      await g2.terminate();
      await h.next('participant.left', { match: (m) => m.connectionId === g2.connectionId });
      expect(await own.myStatus(guest, roomId)).toBe('approved');
      clock.advance(FAST_WS.reconnectGraceMs + 1);
      await eventually(
        async () => (await own.myStatus(guest, roomId)) === 'left',
        'the seat is released',
      );
      const g3 = await own.connect(guest);
      expect(await joinError(g3, roomId)).toBe('NOT_APPROVED');
    } finally {
      await own.closeClients();
      await own.close();
    }
  });
});

describe('membership', () => {
  it('the same user in two tabs is two connections in the roster, and keeps the seat until the last one leaves', async () => {
    const { host, roomId } = await openRoom();
    const h = await s.inRoom(host, roomId);
    const user = await approved(roomId, 'Twin');
    const t1 = await s.inRoom(user, roomId);
    const t2 = await s.connect(user);
    const joined = await t2.join(roomId);
    expect(t1.connectionId).not.toBe(t2.connectionId);
    expect(joined.participants.map((p) => p.connectionId).sort()).toEqual(
      [h.connectionId, t1.connectionId].sort(),
    );
    const seen = [await h.next('participant.joined'), await h.next('participant.joined')];
    expect(seen.map((m) => m.participant.connectionId)).toEqual([t1.connectionId, t2.connectionId]);
    expect(seen.map((m) => m.participant.userId)).toEqual([user.id, user.id]);

    t1.send({ type: 'room.leave' });
    expect(await h.next('participant.left')).toMatchObject({
      connectionId: t1.connectionId,
      reason: 'left',
    });
    expect(await t2.next('participant.left')).toMatchObject({ connectionId: t1.connectionId });
    expect(await s.myStatus(user, roomId)).toBe('approved');
    t2.send({ type: 'room.leave' });
    await h.next('participant.left', { match: (m) => m.connectionId === t2.connectionId });
    await eventually(
      async () => (await s.myStatus(user, roomId)) === 'left',
      'the seat is given up',
    );
  });

  it('media.update reaches the whole room, sender included, and a left-out handRaised stays as it was', async () => {
    const { host, roomId } = await openRoom();
    const h = await s.inRoom(host, roomId);
    const p = await s.inRoom(await approved(roomId), roomId);
    await h.next('participant.joined');

    p.send({ type: 'media.update', audio: true, video: false, screen: false, handRaised: true });
    for (const c of [h, p]) {
      expect(await c.next('participant.updated')).toMatchObject({
        roomId,
        participant: {
          connectionId: p.connectionId,
          media: { audio: true, video: false, screen: false, handRaised: true },
        },
      });
    }
    p.send({ type: 'media.update', audio: false, video: true, screen: true });
    expect(await h.next('participant.updated')).toMatchObject({
      participant: { media: { audio: false, video: true, screen: true, handRaised: true } },
    });
  });

  it('room.join carries the initial media state; a promotion reaches the room as participant.updated', async () => {
    const { host, roomId } = await openRoom();
    const h = await s.inRoom(host, roomId);
    const person = await approved(roomId);
    const p = await s.connect(person);
    await p.join(roomId, { audio: true, video: true, screen: false });
    expect(await h.next('participant.joined')).toMatchObject({
      participant: { media: { audio: true, video: true, screen: false, handRaised: false } },
    });
    await s.decide(host, roomId, person.id, 'promote');
    for (const c of [h, p]) {
      expect(await c.next('participant.updated')).toMatchObject({
        participant: { connectionId: p.connectionId, role: 'cohost' },
      });
    }
  });

  it('joining another room leaves the current one first; joining the same room again is ALREADY_IN_ROOM', async () => {
    const roomA = await openRoom();
    const roomB = await openRoom();
    const hA = await s.inRoom(roomA.host, roomA.roomId);
    const person = await approved(roomA.roomId);
    expect(await s.enter(person, roomB.roomId)).toBe('approved');
    const p = await s.inRoom(person, roomA.roomId);
    await hA.next('participant.joined');

    p.send({ type: 'room.join', roomId: roomA.roomId, ref: 'again' });
    expect(await p.next('error', { match: (m) => m.ref === 'again' })).toMatchObject({
      code: 'ALREADY_IN_ROOM',
    });

    const joinedB = await p.join(roomB.roomId);
    expect(joinedB.roomId).toBe(roomB.roomId);
    expect(await hA.next('participant.left')).toMatchObject({
      connectionId: p.connectionId,
      reason: 'left',
    });
    // Room A's traffic no longer reaches it.
    hA.send({ type: 'media.update', audio: true, video: true, screen: true });
    await hA.next('participant.updated');
    await flush(p);
    expect(p.peekAll('participant.updated')).toEqual([]);
  });

  it('signal, media.update and room.leave outside a room answer NOT_IN_ROOM and keep the connection', async () => {
    const p = await s.connect(await s.guest());
    p.send({ type: 'signal', ref: 's', to: 'c_nobody', candidate: null });
    p.send({ type: 'media.update', ref: 'm', audio: true, video: true, screen: true });
    p.send({ type: 'room.leave', ref: 'l' });
    for (const ref of ['s', 'm', 'l']) {
      expect(await p.next('error', { match: (m) => m.ref === ref })).toMatchObject({
        code: 'NOT_IN_ROOM',
      });
    }
    await flush(p);
  });

  it('the room is marked occupied when its call gets a first connection and empty when the last one goes', async () => {
    const { host, roomId } = await openRoom();
    const emptySince = async () =>
      (
        await s.t.db.db
          .selectFrom('rooms')
          .select('empty_since')
          .where('id', '=', roomId)
          .executeTakeFirstOrThrow()
      ).empty_since;
    expect(await emptySince()).not.toBeNull();
    const h = await s.inRoom(host, roomId);
    expect(await emptySince()).toBeNull();
    h.send({ type: 'room.leave' });
    await eventually(async () => (await emptySince()) !== null, 'the room is marked empty');
  });
});
