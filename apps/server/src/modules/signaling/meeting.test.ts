import { REACTION_LIMITS } from '@parley/protocol';
import type { RosterEntry } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects } from '../../test/harness.js';
import type { TestClient } from './test-client.js';
import { SignalingServer } from './test-server.js';
import type { Person } from './test-server.js';

// The meeting as everyone in it sees it (issue 14): the raised-hand queue in the server's
// order, reactions and their rate, and one meeting clock. A clock and timers only the
// test moves: times and token buckets are exact, never the machine's speed.

describe.each(dialects)('the meeting on %s', (dialect) => {
  let s: SignalingServer;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(new Date());
    s = await SignalingServer.start({}, { dialect, clock, timers: clock });
  });
  afterEach(async () => {
    await s.closeClients();
  });
  afterAll(async () => {
    await s.close();
  });

  async function openRoom(): Promise<{ host: Person; roomId: string }> {
    const host = await s.member('host');
    return { host, roomId: await s.createRoom(host) };
  }

  async function inCall(roomId: string, name: string): Promise<TestClient> {
    const p = await s.guest(name);
    await s.enter(p, roomId);
    return s.inRoom(p, roomId);
  }

  const media = { audio: true, video: true, screen: false };
  const iso = () => clock.now().toISOString();

  describe('raised hands', () => {
    it('the queue is the server clock: first up stays first, raising again keeps the place, lowering leaves the queue', async () => {
      const { host, roomId } = await openRoom();
      const h = await s.inRoom(host, roomId);
      const a = await inCall(roomId, 'A');
      const b = await inCall(roomId, 'B');
      const update = async (c: TestClient, hand?: boolean) => {
        c.send({
          type: 'media.update',
          ...media,
          ...(hand === undefined ? {} : { handRaised: hand }),
        });
        return (
          await h.next('participant.updated', {
            match: (m) => m.participant.connectionId === c.connectionId,
          })
        ).participant;
      };

      const aUp = iso();
      expect(await update(a, true)).toMatchObject({
        media: { handRaised: true },
        handRaisedAt: aUp,
      });
      clock.advance(5_000);
      const bUp = iso();
      expect((await update(b, true)).handRaisedAt).toBe(bUp);
      clock.advance(1_000);
      // Saying "up" again, or not mentioning the hand, does not move A to the back.
      expect((await update(a, true)).handRaisedAt).toBe(aUp);
      expect((await update(a)).handRaisedAt).toBe(aUp);

      const queue = (entries: RosterEntry[]) =>
        entries
          .filter((e) => e.handRaisedAt !== null)
          .sort((x, y) => x.handRaisedAt!.localeCompare(y.handRaisedAt!))
          .map((e) => e.connectionId);
      expect(queue(await s.t.live.roster.list(roomId))).toEqual([a.connectionId, b.connectionId]);

      expect(await update(a, false)).toMatchObject({
        media: { handRaised: false },
        handRaisedAt: null,
      });
      clock.advance(1_000);
      expect((await update(a, true)).handRaisedAt).toBe(iso());
      expect(queue(await s.t.live.roster.list(roomId))).toEqual([b.connectionId, a.connectionId]);
    });

    it('a hand raised on arrival queues from the moment of joining', async () => {
      const { host, roomId } = await openRoom();
      const h = await s.inRoom(host, roomId);
      const p = await s.guest('Eager');
      await s.enter(p, roomId);
      const c = await s.connect(p);
      c.send({ type: 'room.join', roomId, media: { ...media, handRaised: true } });
      const joined = await h.next('participant.joined');
      expect(joined.participant).toMatchObject({
        media: { handRaised: true },
        handRaisedAt: joined.participant.joinedAt,
      });
    });
  });

  describe('reactions', () => {
    it('reach everyone in the room, the sender’s copy echoing its ref; only from a call, only known emoji', async () => {
      const { host, roomId } = await openRoom();
      const h = await s.inRoom(host, roomId);
      const g = await inCall(roomId, 'Guest');
      const reply = await g.request({ type: 'reaction.send', emoji: '👏' });
      const expected = {
        type: 'reaction',
        roomId,
        connectionId: g.connectionId,
        userId: g.userId,
        emoji: '👏',
      };
      expect(reply).toMatchObject({ ...expected, ref: expect.any(String) });
      expect(await h.next('reaction')).toEqual(expected);

      // Signed in but in no call: refused, and nothing reaches the room.
      const outsider = await s.connect(await s.member('outsider'));
      expect(await outsider.request({ type: 'reaction.send', emoji: '👍' })).toMatchObject({
        type: 'error',
        code: 'NOT_IN_ROOM',
      });
      expect(await g.request({ type: 'reaction.send', emoji: '💩' })).toMatchObject({
        type: 'error',
        code: 'INVALID_MESSAGE',
      });
      expect((await h.request({ type: 'ping' })).type).toBe('pong');
      expect(h.peekAll('reaction')).toEqual([]);
    });

    it('past REACTION_LIMITS a connection gets RATE_LIMITED with its ref and nothing is sent; time refills the bucket', async () => {
      const { host, roomId } = await openRoom();
      const h = await s.inRoom(host, roomId);
      const g = await inCall(roomId, 'Eager');
      for (let i = 0; i < REACTION_LIMITS.burst; i++) {
        expect((await g.request({ type: 'reaction.send', emoji: '🎉' })).type).toBe('reaction');
      }
      const refused = await g.request({ type: 'reaction.send', emoji: '🎉' });
      expect(refused).toMatchObject({
        type: 'error',
        code: 'RATE_LIMITED',
        ref: expect.any(String),
      });
      expect((await h.request({ type: 'ping' })).type).toBe('pong');
      expect(h.peekAll('reaction')).toHaveLength(REACTION_LIMITS.burst);

      clock.advance(1_000 / REACTION_LIMITS.perSecond);
      expect((await g.request({ type: 'reaction.send', emoji: '🎉' })).type).toBe('reaction');
      expect((await g.request({ type: 'reaction.send', emoji: '🎉' })).type).toBe('error');
      // The socket stays, and the limit is the connection's: the host's is untouched.
      expect((await h.request({ type: 'reaction.send', emoji: '👍' })).type).toBe('reaction');
    });
  });

  describe('the meeting clock', () => {
    it('two people joining 20 s apart see the same meetingStartedAt; it clears when the call empties and restarts with the next one', async () => {
      const { host, roomId } = await openRoom();
      const started = iso();
      const h = await s.connect(host);
      const first = await h.join(roomId);
      expect(first.room.meetingStartedAt).toBe(started);
      expect(first.serverTime).toBe(clock.now().getTime());

      clock.advance(20_000);
      const p = await s.guest('Late');
      await s.enter(p, roomId);
      const c = await s.connect(p);
      const second = await c.join(roomId);
      expect(second.room.meetingStartedAt).toBe(started);
      // The timer each shows: server time minus the start, the same for both.
      expect(second.serverTime - Date.parse(second.room.meetingStartedAt!)).toBe(20_000);
      const view = async () =>
        (
          (await s.api('GET', `/api/rooms/${roomId}`, host)).body.room as {
            meetingStartedAt: string | null;
          }
        ).meetingStartedAt;
      expect(await view()).toBe(started);

      c.send({ type: 'room.leave' });
      await h.next('participant.left');
      expect(await view()).toBe(started);
      h.send({ type: 'room.leave' });
      expect((await h.request({ type: 'ping' })).type).toBe('pong');
      expect(await view()).toBeNull();

      clock.advance(60_000);
      await s.enter(host, roomId);
      const again = await s.connect(host);
      expect((await again.join(roomId)).room.meetingStartedAt).toBe(iso());
    });
  });
});
