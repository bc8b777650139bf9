import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../platform/clock.js';
import { dialects } from '../../test/harness.js';
import { deployments, testLives } from '../../test/deployment.js';
import { only } from '../audit/test-audit.js';
import type { TestClient } from '../signaling/test-client.js';
import { FAST_WS, SignalingServer, eventually } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';

// Moderation in the call (issue 14): mute, mute-all, lower-hand and the spotlight over
// REST, acting on the live roster; and the handover when the last moderator leaves. The
// real app on a random port, real sockets.

type Json = Record<string, unknown>;
const outcome = (res: { status: number; body: Json }) =>
  res.status < 300
    ? String(res.status)
    : `${res.status} ${String((res.body.error as { code?: string } | undefined)?.code)}`;

describe.each(dialects)('moderation on %s', (dialect) => {
  let s: SignalingServer;
  beforeAll(async () => {
    s = await SignalingServer.start({}, { dialect });
  });
  afterEach(async () => {
    await s.closeClients();
  });
  afterAll(async () => {
    await s.close();
  });

  const post = (url: string, who: Person | undefined, body?: unknown) =>
    s.api('POST', url, who, body);

  /** Every message written to `c` before this resolves has arrived. */
  async function flush(c: TestClient): Promise<void> {
    expect((await c.request({ type: 'ping' })).type).toBe('pong');
  }

  /** An open room with its host, a co-host and a participant admitted (nobody in the call yet). */
  async function meeting(body: Json = {}) {
    const host = await s.member('host');
    const roomId = await s.createRoom(host, body);
    const cohost = await admitted(host, roomId, 'Cohost');
    await s.decide(host, roomId, cohost.id, 'promote');
    const guest = await admitted(host, roomId, 'Guest');
    return { host, cohost, guest, roomId };
  }

  async function admitted(host: Person, roomId: string, name: string): Promise<Person> {
    const p = await s.guest(name);
    if ((await s.enter(p, roomId)) === 'pending') await s.decide(host, roomId, p.id, 'admit');
    return p;
  }

  const on = { audio: true, video: true, screen: false };

  describe('mute', () => {
    it('the host mutes someone: each of their connections goes silent for the room, they are told, and unmuting stays theirs', async () => {
      const { host, guest, roomId } = await meeting();
      const h = await s.inRoom(host, roomId);
      const g1 = await s.connect(guest);
      await g1.join(roomId, on);
      const g2 = await s.connect(guest);
      await g2.join(roomId, on);

      const res = await post(`/api/rooms/${roomId}/participants/${guest.id}/mute`, host);
      expect(outcome(res)).toBe('200');
      expect(res.body.participant).toMatchObject({ userId: guest.id, status: 'approved' });
      for (const c of [g1, g2]) {
        expect(
          await h.next('participant.updated', {
            match: (m) => m.participant.connectionId === c.connectionId,
          }),
        ).toMatchObject({ participant: { media: { audio: false, video: true } } });
        expect(await c.next('moderation.applied')).toEqual({
          type: 'moderation.applied',
          roomId,
          action: 'mute',
          by: { id: host.id, displayName: host.displayName },
        });
      }
      const roster = await s.t.live.roster.list(roomId);
      expect(roster.filter((e) => e.userId === guest.id).map((e) => e.media.audio)).toEqual([
        false,
        false,
      ]);
      expect(await only(s.t.db.db, 'room.muted', guest.id)).toMatchObject({
        actorId: host.id,
        targetType: 'user',
        details: { roomId },
      });

      // Their own choice to speak again is theirs to make.
      g1.send({ type: 'media.update', ...on });
      expect(
        await h.next('participant.updated', {
          match: (m) => m.participant.connectionId === g1.connectionId,
        }),
      ).toMatchObject({ participant: { media: { audio: true } } });
    });

    it('a participant cannot mute, a co-host cannot mute the host, an outsider gets 404, and someone not in the call is PARTICIPANT_NOT_FOUND', async () => {
      const { host, cohost, guest, roomId } = await meeting();
      const h = await s.inRoom(host, roomId);
      await s.inRoom(guest, roomId);
      const stranger = await s.member('stranger');
      const mute = (target: string, who: Person) =>
        post(`/api/rooms/${roomId}/participants/${target}/mute`, who).then(outcome);

      expect(await mute(host.id, guest)).toBe('403 NOT_HOST');
      expect(await mute(host.id, cohost)).toBe('403 NOT_HOST');
      expect(await mute(guest.id, stranger)).toBe('404 ROOM_NOT_FOUND');
      expect(await mute(guest.id, await s.guest('anyone'))).toBe('404 ROOM_NOT_FOUND');
      expect(
        await post(`/api/rooms/${roomId}/participants/${guest.id}/mute`, undefined),
      ).toMatchObject({
        status: 401,
      });
      // The co-host is admitted but not in the call.
      expect(await mute(cohost.id, host)).toBe('404 PARTICIPANT_NOT_FOUND');
      expect(await mute(stranger.id, host)).toBe('404 PARTICIPANT_NOT_FOUND');
      await flush(h);
      expect(h.peekAll('participant.updated')).toEqual([]);
      // The co-host may mute a participant.
      expect(await mute(guest.id, cohost)).toBe('200');
    });
  });

  describe('mute-all', () => {
    it("asks everyone in the call but the caller; a co-host's request spares the host", async () => {
      const { host, cohost, guest, roomId } = await meeting();
      const other = await admitted(host, roomId, 'Other');
      const h = await s.connect(host);
      await h.join(roomId, on);
      const c = await s.connect(cohost);
      await c.join(roomId, on);
      const g = await s.connect(guest);
      await g.join(roomId, on);
      const o = await s.inRoom(other, roomId); // already muted: asked all the same

      const res = await post(`/api/rooms/${roomId}/mute-all`, cohost);
      expect(outcome(res)).toBe('200');
      expect(res.body).toEqual({ muted: 2 });
      for (const who of [g, o]) {
        expect(await who.next('moderation.applied')).toMatchObject({
          action: 'mute-all',
          by: { id: cohost.id },
        });
      }
      await flush(h);
      await flush(c);
      expect(h.peekAll('moderation.applied')).toEqual([]);
      expect(c.peekAll('moderation.applied')).toEqual([]);
      const audio = Object.fromEntries(
        (await s.t.live.roster.list(roomId)).map((e) => [e.userId, e.media.audio]),
      );
      expect(audio).toEqual({
        [host.id]: true,
        [cohost.id]: true,
        [guest.id]: false,
        [other.id]: false,
      });
      // Only the entry that changed is announced.
      const updates = h.peekAll('participant.updated').map((m) => m.participant.userId);
      expect(updates).toEqual([guest.id]);
      expect(await only(s.t.db.db, 'room.muted', roomId)).toMatchObject({
        actorId: cohost.id,
        targetType: 'room',
        details: { all: true, muted: 2 },
      });

      // The host's own request includes the co-host.
      expect((await post(`/api/rooms/${roomId}/mute-all`, host)).body).toEqual({ muted: 3 });
      expect(await c.next('moderation.applied')).toMatchObject({ action: 'mute-all' });
    });

    it('a participant cannot ask everyone to mute, nor can someone outside the room', async () => {
      const { guest, roomId } = await meeting();
      await s.inRoom(guest, roomId);
      expect(outcome(await post(`/api/rooms/${roomId}/mute-all`, guest))).toBe('403 NOT_HOST');
      expect(outcome(await post(`/api/rooms/${roomId}/mute-all`, await s.member('x')))).toBe(
        '404 ROOM_NOT_FOUND',
      );
    });
  });

  describe('lower-hand', () => {
    it('a co-host lowers a raised hand: it leaves the queue and its owner is told', async () => {
      const { host, cohost, guest, roomId } = await meeting();
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      g.send({ type: 'media.update', ...on, handRaised: true });
      const raised = await h.next('participant.updated');
      expect(raised.participant).toMatchObject({ media: { handRaised: true } });
      expect(raised.participant.handRaisedAt).toEqual(expect.any(String));

      const res = await post(`/api/rooms/${roomId}/participants/${guest.id}/lower-hand`, cohost);
      expect(outcome(res)).toBe('200');
      const lowered = await h.next('participant.updated');
      expect(lowered.participant).toMatchObject({
        connectionId: g.connectionId,
        media: { handRaised: false, audio: true },
        handRaisedAt: null,
      });
      expect(await g.next('moderation.applied')).toMatchObject({
        action: 'lower-hand',
        by: { id: cohost.id },
      });
    });

    it('a participant cannot lower a hand, a co-host cannot lower the host’s, an outsider gets 404', async () => {
      const { host, cohost, guest, roomId } = await meeting();
      await s.inRoom(host, roomId);
      await s.inRoom(guest, roomId);
      const lower = (target: string, who: Person) =>
        post(`/api/rooms/${roomId}/participants/${target}/lower-hand`, who).then(outcome);
      expect(await lower(host.id, guest)).toBe('403 NOT_HOST');
      expect(await lower(host.id, cohost)).toBe('403 NOT_HOST');
      expect(await lower(guest.id, await s.member('x'))).toBe('404 ROOM_NOT_FOUND');
      expect(await lower(guest.id, host)).toBe('200');
    });
  });

  describe('spotlight', () => {
    it('the host spotlights a connection: the room hears room.spotlight and a newcomer finds it in room.joined', async () => {
      const { host, cohost, guest, roomId } = await meeting();
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      const res = await post(`/api/rooms/${roomId}/spotlight`, host, {
        connectionId: g.connectionId,
      });
      expect(outcome(res)).toBe('204');
      const by = { id: host.id, displayName: host.displayName };
      for (const c of [h, g]) {
        expect(await c.next('room.spotlight')).toEqual({
          type: 'room.spotlight',
          roomId,
          connectionId: g.connectionId,
          by,
        });
      }
      const c = await s.connect(cohost);
      expect((await c.join(roomId)).spotlight).toBe(g.connectionId);

      // null ends it, for everyone and for the next newcomer.
      expect(
        outcome(await post(`/api/rooms/${roomId}/spotlight`, cohost, { connectionId: null })),
      ).toBe('204');
      expect(await h.next('room.spotlight')).toMatchObject({
        connectionId: null,
        by: { id: cohost.id },
      });
      // The next newcomer: another tab of the co-host's. Not `c` closed and opened again:
      // coming back would race the 300 ms reconnection grace on the real clock, and a busy
      // machine loses that race (the seat is released: NOT_APPROVED).
      const again = await s.connect(cohost);
      expect((await again.join(roomId)).spotlight).toBeNull();
    });

    it('the spotlight goes when that connection leaves the call, and when the room closes', async () => {
      const { host, guest, roomId } = await meeting();
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      await post(`/api/rooms/${roomId}/spotlight`, host, { connectionId: g.connectionId });
      await h.next('room.spotlight');
      g.send({ type: 'room.leave' });
      await h.next('participant.left');
      await flush(g); // the leave, seat included, is done
      const g2 = await s.connect(guest);
      await s.enter(guest, roomId);
      expect((await g2.join(roomId)).spotlight).toBeNull();

      await post(`/api/rooms/${roomId}/spotlight`, host, { connectionId: h.connectionId });
      expect(await s.t.live.store('spotlight').get(roomId)).toEqual({
        connectionId: h.connectionId,
      });
      await s.end(host, roomId);
      await eventually(
        async () => (await s.t.live.store('spotlight').get(roomId)) === undefined,
        'the closed room forgets its spotlight',
      );
    });

    it('only a connection in this call can be spotlighted; participants and outsiders are refused', async () => {
      const { host, guest, roomId } = await meeting();
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      const elsewhere = await meeting();
      const e = await s.inRoom(elsewhere.host, elsewhere.roomId);
      const spot = (who: Person, connectionId: string | null) =>
        post(`/api/rooms/${roomId}/spotlight`, who, { connectionId }).then(outcome);

      expect(await spot(host, e.connectionId)).toBe('404 PARTICIPANT_NOT_FOUND');
      expect(await spot(host, 'no-such-connection')).toBe('404 PARTICIPANT_NOT_FOUND');
      expect(await spot(guest, g.connectionId)).toBe('403 NOT_HOST');
      expect(await spot(elsewhere.host, e.connectionId)).toBe('404 ROOM_NOT_FOUND');
      expect(
        outcome(await post(`/api/rooms/${roomId}/spotlight`, host, { connectionId: 42 })),
      ).toBe('400 VALIDATION_FAILED');
      await flush(h);
      expect(h.peekAll('room.spotlight')).toEqual([]);
    });
  });

  describe('handover', () => {
    it('the host leaves: the longest-present member becomes co-host, gets moderation.granted with the lobby, and later knocks reach them', async () => {
      const host = await s.member('host');
      const roomId = await s.createRoom(host, { entry: 'approval' });
      // In the call in this order: a guest first, then two members.
      const early = await admitted(host, roomId, 'Early guest');
      const first = await s.member('first');
      const second = await s.member('second');
      for (const p of [first, second]) {
        await s.enter(p, roomId);
        await s.decide(host, roomId, p.id, 'admit');
      }
      const h = await s.inRoom(host, roomId);
      const e = await s.inRoom(early, roomId);
      const f = await s.inRoom(first, roomId);
      const sc = await s.inRoom(second, roomId);
      const knocker = await s.guest('Knocker');
      expect(await s.enter(knocker, roomId)).toBe('pending');
      await h.next('lobby.requested');

      h.send({ type: 'room.leave' });
      const granted = await f.next('moderation.granted');
      expect(granted).toMatchObject({ roomId, role: 'cohost', reason: 'handover' });
      expect(granted.lobby.map((l) => l.user.id)).toEqual([knocker.id]);
      for (const c of [e, sc]) {
        expect(
          await c.next('participant.updated', { match: (m) => m.participant.userId === first.id }),
        ).toMatchObject({ participant: { role: 'cohost' } });
      }
      expect((await s.api('GET', `/api/rooms/${roomId}`, first)).body.room).toMatchObject({
        myRole: 'cohost',
      });
      await flush(e);
      await flush(sc);
      expect(e.peekAll('moderation.granted')).toEqual([]);
      expect(sc.peekAll('moderation.granted')).toEqual([]);

      // Whoever moderates now hears the next knock, and can answer it.
      const late = await s.guest('Late');
      expect(await s.enter(late, roomId)).toBe('pending');
      expect(await f.next('lobby.requested')).toMatchObject({ user: { id: late.id } });
      expect(outcome(await post(`/api/rooms/${roomId}/participants/${late.id}/admit`, first))).toBe(
        '200',
      );
    });

    it('with only guests left, the longest-present guest takes over', async () => {
      const { host, roomId } = await meeting();
      const a = await admitted(host, roomId, 'A');
      const b = await admitted(host, roomId, 'B');
      const h = await s.inRoom(host, roomId);
      const ca = await s.inRoom(a, roomId);
      const cb = await s.inRoom(b, roomId);
      h.send({ type: 'room.leave' });
      expect(await ca.next('moderation.granted')).toMatchObject({ reason: 'handover' });
      await flush(cb);
      expect(cb.peekAll('moderation.granted')).toEqual([]);
    });

    it('nothing is handed over while a co-host stays in the call, nor when a participant leaves an unmoderated call', async () => {
      const { host, cohost, guest, roomId } = await meeting();
      const other = await admitted(host, roomId, 'Other');
      const h = await s.inRoom(host, roomId);
      const c = await s.inRoom(cohost, roomId);
      const g = await s.inRoom(guest, roomId);
      const o = await s.inRoom(other, roomId);
      h.send({ type: 'room.leave' });
      await g.next('participant.left');
      await flush(g);
      await flush(c);
      for (const who of [c, g, o]) expect(who.peekAll('moderation.granted')).toEqual([]);
      expect(g.peekAll('participant.updated')).toEqual([]);

      // The co-host leaves too: now someone takes over (the guest: longest present).
      c.send({ type: 'room.leave' });
      expect(await g.next('moderation.granted')).toMatchObject({ reason: 'handover' });
      // A participant leaving a call someone moderates changes nothing more.
      o.send({ type: 'room.leave' });
      await g.next('participant.left', { match: (m) => m.userId === other.id });
      await flush(g);
      expect(g.peekAll('moderation.granted')).toEqual([]);
    });

    it('a host who promotes someone before leaving hands over to them; the promoted one hears moderation.granted (promoted) with the lobby', async () => {
      const host = await s.member('host');
      const roomId = await s.createRoom(host, { entry: 'approval' });
      const chosen = await admitted(host, roomId, 'Chosen');
      const other = await admitted(host, roomId, 'Other');
      const knocker = await s.guest('Knocker');
      await s.enter(knocker, roomId);
      const h = await s.inRoom(host, roomId);
      const o = await s.inRoom(other, roomId); // longer present than the chosen one
      const c = await s.inRoom(chosen, roomId);
      await s.decide(host, roomId, chosen.id, 'promote');
      expect(await c.next('moderation.granted')).toMatchObject({
        roomId,
        role: 'cohost',
        reason: 'promoted',
        lobby: [{ user: { id: knocker.id } }],
      });
      h.send({ type: 'room.leave' });
      await o.next('participant.left');
      await flush(o);
      expect(o.peekAll('moderation.granted')).toEqual([]);
    });
  });

  it('a host whose reconnection grace runs out hands over; one back within the grace does not (fake clock)', async () => {
    const clock = new ManualClock(new Date());
    const own = await SignalingServer.start({}, { dialect, clock });
    try {
      const host = await own.member('host');
      const roomId = await own.createRoom(host);
      const guest = await own.guest('Guest');
      await own.enter(guest, roomId);
      const g = await own.inRoom(guest, roomId);
      const h1 = await own.inRoom(host, roomId);
      await h1.terminate();
      await g.next('participant.left');
      // Back within the grace: still the host, nothing handed over.
      const h2 = await own.inRoom(host, roomId);
      await h2.terminate();
      await g.next('participant.left');
      await g.expectNo('moderation.granted');
      clock.advance(FAST_WS.reconnectGraceMs + 1);
      expect(await g.next('moderation.granted')).toMatchObject({
        roomId,
        role: 'cohost',
        reason: 'handover',
        lobby: [],
      });
      expect(await own.myStatus(host, roomId)).toBe('left');
    } finally {
      await own.close();
    }
  });
});

describe.each(deployments)(
  'handover across processes (live state $live, $dialect)',
  ({ live, dialect }) => {
    // Two apps, their database and two live-state connections start inside the test: on a
    // loaded machine that alone can take most of the default 20 s, hence its own budget.
    it('the host and the co-host leave at once from two processes: exactly one person is made co-host, once', async () => {
      const { lives, close } = await testLives(live, systemClock, 2);
      // Leases far longer than the test: a loaded machine must not make one sweep the other.
      const config = { live: { expiryMs: 60_000, tickMs: 25 } };
      const a = await SignalingServer.start(config, { dialect, live: lives[0]! });
      const b = await SignalingServer.start(config, { db: a.t.db, live: lives[1]! });
      try {
        const host = await a.member('host');
        const roomId = await a.createRoom(host);
        const cohost = await a.guest('Cohost');
        await a.enter(cohost, roomId);
        await a.decide(host, roomId, cohost.id, 'promote');
        const stay = [await a.guest('First'), await a.guest('Second')];
        for (const p of stay) await a.enter(p, roomId);
        const h = await a.inRoom(host, roomId);
        const c = await b.inRoom(cohost, roomId);
        const s1 = await b.inRoom(stay[0]!, roomId);
        const s2 = await a.inRoom(stay[1]!, roomId);

        h.send({ type: 'room.leave' });
        c.send({ type: 'room.leave' });
        const granted = await s1.next('moderation.granted');
        expect(granted).toMatchObject({ roomId, reason: 'handover' });
        await s2.next('participant.left', { match: (m) => m.userId === host.id });
        await s2.next('participant.left', { match: (m) => m.userId === cohost.id });
        await s2.expectNo('moderation.granted', 300);
        await s1.expectNo('moderation.granted', 0);
        // The two who left were told nothing either (they are still connected, out of the call).
        expect([...h.peekAll('moderation.granted'), ...c.peekAll('moderation.granted')]).toEqual(
          [],
        );
        const handovers = await a.t.db.db
          .selectFrom('room_activity')
          .select('user_id')
          .where('room_id', '=', roomId)
          .where('kind', '=', 'promoted')
          .where('actor_id', 'is', null)
          .execute();
        expect(handovers).toEqual([{ user_id: stay[0]!.id }]);
        const roles = (await a.t.live.roster.list(roomId)).map((e) => [e.userId, e.role]);
        expect(Object.fromEntries(roles)).toEqual({
          [stay[0]!.id]: 'cohost',
          [stay[1]!.id]: 'participant',
        });
      } finally {
        await b.close();
        await a.close();
        await close();
      }
    }, 60_000);
  },
);
