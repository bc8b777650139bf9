import { CHAT_LIMITS, ChatMessageId } from '@parley/protocol';
import type { ChatMessage, ServerMessage, ServerMessageOf } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import { dialects } from '../../test/harness.js';
import type { TestClient } from '../signaling/test-client.js';
import { SignalingServer } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';

// Integration: the real app on a random port, real sockets, REST via inject, a manual
// clock so rate limits, throttles and timestamps are exact.

describe.each(dialects)('chat on %s', (dialect) => {
  let s: SignalingServer;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(new Date());
    s = await SignalingServer.start({}, { dialect, clock });
  });
  afterEach(async () => {
    await s.closeClients();
  });
  afterAll(async () => {
    await s.close();
  });

  /** Every message written to `c` before this resolves has arrived (one socket is ordered). */
  async function flush(c: TestClient): Promise<void> {
    const reply = await c.request({ type: 'ping' });
    expect(reply.type).toBe('pong');
  }

  async function openRoom(body: Record<string, unknown> = {}) {
    const host = await s.member('host');
    return { host, roomId: await s.createRoom(host, body) };
  }

  /** In the room over REST (admitted by the host when the room asks for approval). */
  async function admitted(host: Person, roomId: string, name = 'Guest'): Promise<Person> {
    const p = await s.guest(name);
    if ((await s.enter(p, roomId)) === 'pending') await s.decide(host, roomId, p.id, 'admit');
    return p;
  }

  async function say(c: TestClient, text: string): Promise<ServerMessage> {
    return c.request({ type: 'chat.send', text });
  }

  async function said(c: TestClient, text: string): Promise<ServerMessageOf<'chat.message'>> {
    const reply = await say(c, text);
    if (reply.type !== 'chat.message')
      throw new Error(`chat.send refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  const stored = async (roomId: string) =>
    s.t.db.db
      .selectFrom('chat_messages')
      .selectAll()
      .where('room_id', '=', roomId)
      .orderBy('seq')
      .execute();

  const history = (who: Person | undefined, roomId: string, query = '') =>
    s.api('GET', `/api/rooms/${roomId}/messages${query}`, who);

  describe('sending', () => {
    it('a message reaches everyone in the call, the sender included with its ref, and nobody outside it', async () => {
      const { host, roomId } = await openRoom({ entry: 'approval' });
      const guest = await admitted(host, roomId, 'Grace');
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      // Outside: a participant of another room, a knocker waiting in this room's lobby,
      // and an admitted person whose socket has not joined the call.
      const other = await openRoom();
      const o = await s.inRoom(other.host, other.roomId);
      const knocker = await s.guest('Knocker');
      const k = await s.connect(knocker);
      expect(await s.enter(knocker, roomId)).toBe('pending');
      const idle = await s.connect(await admitted(host, roomId, 'Idle'));

      h.send({ type: 'chat.send', text: '  Hello <b>all</b>\r\nsecond line  ', ref: 'c1' });
      const mine = await h.next('chat.message');
      const theirs = await g.next('chat.message');
      const expected = {
        type: 'chat.message',
        id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
        seq: 1,
        roomId,
        userId: host.id,
        displayName: host.displayName,
        text: 'Hello <b>all</b>\nsecond line',
        sentAt: clock.now().toISOString(),
      };
      expect(mine).toEqual({ ...expected, ref: 'c1' });
      expect(theirs).toEqual(expected);
      expect(theirs.id).toBe(mine.id);

      for (const c of [o, k, idle]) {
        await flush(c);
        expect(c.received.filter((m) => m.type.startsWith('chat.'))).toEqual([]);
      }
      expect(await stored(roomId)).toMatchObject([
        { id: mine.id, user_id: host.id, display_name: host.displayName, seq: 1 },
      ]);
    });

    it('the sender is the connection: a chat.send naming a userId or displayName is refused and nothing is sent', async () => {
      const { host, roomId } = await openRoom();
      const victim = await admitted(host, roomId, 'Victim');
      const h = await s.inRoom(host, roomId);
      const v = await s.inRoom(victim, roomId);
      for (const forged of [{ userId: victim.id }, { displayName: 'Victim' }]) {
        const reply = await h.request({ type: 'chat.send', text: 'I am the victim', ...forged });
        expect(reply).toMatchObject({
          type: 'error',
          code: 'INVALID_MESSAGE',
          details: { fields: { message: [expect.any(String)] } },
        });
      }
      await flush(v);
      expect(v.peekAll('chat.message')).toEqual([]);
      expect(await stored(roomId)).toEqual([]);
      // The connection stays usable, and a real message carries the real sender.
      expect(await said(h, 'me')).toMatchObject({ userId: host.id, displayName: host.displayName });
    });

    it('chat.send and chat.typing outside a call answer NOT_IN_ROOM, also for a knocker in the lobby', async () => {
      const { host, roomId } = await openRoom({ entry: 'approval' });
      const knocker = await s.guest();
      const k = await s.connect(knocker);
      expect(await s.enter(knocker, roomId)).toBe('pending');
      const h = await s.connect(host); // admitted, but not in the call
      for (const c of [k, h]) {
        expect(await say(c, 'hi')).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });
        expect(await c.request({ type: 'chat.typing' })).toMatchObject({ code: 'NOT_IN_ROOM' });
      }
      expect(await stored(roomId)).toEqual([]);
    });

    it('text is trimmed to 1..2000 characters without control characters; anything else is INVALID_MESSAGE and not stored', async () => {
      const { host, roomId } = await openRoom();
      const h = await s.inRoom(host, roomId);
      const max = 'x'.repeat(CHAT_LIMITS.maxTextLength);
      expect(await said(h, ` ${max} `)).toMatchObject({ text: max });
      for (const bad of [max + 'x', '   ', 'bell\u0007', 'nul\u0000']) {
        const reply = await say(h, bad);
        expect(reply).toMatchObject({
          type: 'error',
          code: 'INVALID_MESSAGE',
          details: { fields: { text: [expect.any(String)] } },
        });
      }
      expect((await stored(roomId)).map((r) => r.text)).toEqual([max]);
    });

    it('a user over the chat rate gets RATE_LIMITED with the ref and keeps the connection; other people are not slowed', async () => {
      const { host, roomId } = await openRoom();
      const guest = await admitted(host, roomId);
      const h = await s.inRoom(host, roomId);
      const h2 = await s.inRoom(host, roomId); // the same user in a second tab shares the limit
      const g = await s.inRoom(guest, roomId);
      for (let i = 0; i < CHAT_LIMITS.sendBurst; i++) await said(i % 2 ? h : h2, `m${i}`);

      const refused = await say(h2, 'one too many');
      expect(refused).toMatchObject({
        type: 'error',
        code: 'RATE_LIMITED',
        details: { retryAfterMs: 1000 },
      });
      expect(await say(h, 'still too many')).toMatchObject({ code: 'RATE_LIMITED' });
      expect(await said(g, 'I can talk')).toMatchObject({ userId: guest.id });

      clock.advance(1_000);
      expect(await said(h, 'one more')).toMatchObject({ seq: CHAT_LIMITS.sendBurst + 2 });
      expect(await say(h, 'and no more')).toMatchObject({ code: 'RATE_LIMITED' });
      await flush(h);
      expect(h.ws.readyState).toBe(h.ws.OPEN);
      const texts = (await stored(roomId)).map((r) => r.text);
      expect(texts).toHaveLength(CHAT_LIMITS.sendBurst + 2);
      expect(texts).not.toContain('one too many');
    });
  });

  describe('the send rate operators set (CHAT_SEND_PER_SECOND, CHAT_SEND_BURST)', () => {
    let tight: SignalingServer;
    beforeAll(async () => {
      // Through loadConfig, so the variables' path into the limiter is what is tested.
      const { chat } = loadConfig({
        JWT_SECRET: 'x'.repeat(32),
        CHAT_SEND_PER_SECOND: '2',
        CHAT_SEND_BURST: '2',
      });
      tight = await SignalingServer.start({ chat }, { dialect, clock });
    });
    afterEach(async () => {
      await tight.closeClients();
    });
    afterAll(async () => {
      await tight.close();
    });

    it('with a burst of 2 the third quick send is refused, and the next comes after 1/rate seconds', async () => {
      const host = await tight.member('host');
      const roomId = await tight.createRoom(host);
      const h = await tight.inRoom(host, roomId);
      await said(h, 'one');
      await said(h, 'two');
      expect(await say(h, 'three')).toMatchObject({
        type: 'error',
        code: 'RATE_LIMITED',
        details: { retryAfterMs: 500 },
      });
      clock.advance(499);
      expect(await say(h, 'still three')).toMatchObject({ code: 'RATE_LIMITED' });
      clock.advance(1);
      expect(await said(h, 'three')).toMatchObject({ seq: 3 });
      expect(await say(h, 'four')).toMatchObject({ code: 'RATE_LIMITED' });
      expect(h.ws.readyState).toBe(h.ws.OPEN);
    });
  });

  describe('ordering', () => {
    it('people sending at the same moment all get stored, numbered 1..n with no gaps, and everyone hears every one', async () => {
      const { host, roomId } = await openRoom();
      const people = [host, ...(await Promise.all([1, 2, 3, 4].map(() => admitted(host, roomId))))];
      const clients = await Promise.all(people.map((p) => s.inRoom(p, roomId)));
      const perPerson = 5;
      const replies = await Promise.all(
        clients.map((c, i) =>
          Promise.all(Array.from({ length: perPerson }, (_, j) => say(c, `from ${i} #${j}`))),
        ),
      );
      expect(replies.flat().filter((r) => r.type !== 'chat.message')).toEqual([]);
      const n = people.length * perPerson;
      const rows = await stored(roomId);
      expect(rows.map((r) => r.seq)).toEqual(range(1, n));
      // Every client heard all n: its own (echoing its refs) and everybody else's.
      for (const [i, c] of clients.entries()) {
        const heard: ServerMessage[] = [...replies[i]!];
        for (let k = perPerson; k < n; k++) heard.push(await c.next('chat.message'));
        const seqs = heard.map((m) => (m.type === 'chat.message' ? m.seq : 0));
        expect(seqs.sort((a, b) => a - b)).toEqual(range(1, n));
      }
    });
  });

  describe('typing', () => {
    it('chat.typing reaches the others, never the sender, at most once per user every 2 s', async () => {
      const { host, roomId } = await openRoom();
      const guest = await admitted(host, roomId, 'Typist');
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      const other = await openRoom();
      const o = await s.inRoom(other.host, other.roomId);

      g.send({ type: 'chat.typing' });
      expect(await h.next('chat.typing')).toEqual({
        type: 'chat.typing',
        roomId,
        userId: guest.id,
        displayName: 'Typist',
      });
      g.send({ type: 'chat.typing' });
      clock.advance(CHAT_LIMITS.typingIntervalMs - 1);
      g.send({ type: 'chat.typing' });
      await flush(g);
      await flush(h);
      expect(h.peekAll('chat.typing')).toEqual([]);

      clock.advance(1);
      g.send({ type: 'chat.typing' });
      expect(await h.next('chat.typing')).toMatchObject({ userId: guest.id });
      // Another person's indicator is not held back by this one's throttle.
      h.send({ type: 'chat.typing' });
      expect(await g.next('chat.typing')).toMatchObject({ userId: host.id });

      for (const c of [g, h, o]) await flush(c);
      expect(g.peekAll('chat.typing')).toEqual([]);
      expect(h.peekAll('chat.typing')).toEqual([]);
      expect(o.received.filter((m) => m.type === 'chat.typing')).toEqual([]);
    });
  });

  describe('switching chat off', () => {
    it('everyone hears room.updated, participants’ sends and typing are CHAT_DISABLED, history stays readable, and switching it back on works', async () => {
      const { host, roomId } = await openRoom();
      const guest = await admitted(host, roomId);
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      await said(g, 'before');
      await h.next('chat.message');

      expect(
        (await s.api('PATCH', `/api/rooms/${roomId}`, host, { chatEnabled: false })).status,
      ).toBe(200);
      for (const c of [h, g]) {
        expect(await c.next('room.updated')).toMatchObject({
          roomId,
          room: { chatEnabled: false },
        });
      }
      expect(await say(g, 'during')).toMatchObject({ type: 'error', code: 'CHAT_DISABLED' });
      expect(await g.request({ type: 'chat.typing' })).toMatchObject({ code: 'CHAT_DISABLED' });
      await flush(h);
      expect(h.peekAll('chat.message')).toEqual([]);
      expect(h.peekAll('chat.typing')).toEqual([]);
      const read = await history(guest, roomId);
      expect(read.status).toBe(200);
      expect((read.body.messages as ChatMessage[]).map((m) => m.text)).toEqual(['before']);

      await s.api('PATCH', `/api/rooms/${roomId}`, host, { chatEnabled: true });
      expect(await g.next('room.updated')).toMatchObject({ room: { chatEnabled: true } });
      expect(await said(g, 'after')).toMatchObject({ text: 'after', seq: 2 });
      expect(await h.next('chat.message', { match: (m) => m.text === 'after' })).toBeTruthy();
    });

    it('with chat off the host and co-hosts still write (and type) and everyone reads it; a participant cannot', async () => {
      const { host, roomId } = await openRoom({ chatEnabled: false });
      const guest = await admitted(host, roomId, 'Gus');
      const helper = await admitted(host, roomId, 'Helper');
      await s.decide(host, roomId, helper.id, 'promote');
      const h = await s.inRoom(host, roomId);
      const c = await s.inRoom(helper, roomId);
      const g = await s.inRoom(guest, roomId);

      expect(await said(h, 'from the host')).toMatchObject({ text: 'from the host', seq: 1 });
      expect(await g.next('chat.message')).toMatchObject({ text: 'from the host' });
      expect(await said(c, 'from the co-host')).toMatchObject({ seq: 2 });
      expect(await g.next('chat.message')).toMatchObject({ text: 'from the co-host' });
      h.send({ type: 'chat.typing' });
      expect(await g.next('chat.typing')).toMatchObject({ userId: host.id });

      expect(await say(g, 'me too?')).toMatchObject({ type: 'error', code: 'CHAT_DISABLED' });
      await flush(h);
      expect(h.peekAll('chat.message').map((m) => m.text)).not.toContain('me too?');
      expect((await stored(roomId)).map((m) => m.text)).toEqual([
        'from the host',
        'from the co-host',
      ]);
    });
  });

  describe('history', () => {
    /** `n` messages from two people, the clock moved on so the rate limit never bites. */
    async function chatter(n: number) {
      const { host, roomId } = await openRoom();
      const guest = await admitted(host, roomId);
      const h = await s.inRoom(host, roomId);
      const g = await s.inRoom(guest, roomId);
      const sent: ServerMessageOf<'chat.message'>[] = [];
      for (let i = 1; i <= n; i++) {
        sent.push(await said(i % 2 ? h : g, `message ${i}`));
        if (i % (2 * CHAT_LIMITS.sendBurst) === 0) clock.advance(CHAT_LIMITS.sendBurst * 1_000);
      }
      return { host, guest, roomId, sent };
    }

    it('pages back 50/50/20 through 120 messages across `before`, oldest first, with no gaps or repeats', async () => {
      const { guest, roomId, sent } = await chatter(120);
      expect(sent.map((m) => m.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));

      const pages: { messages: ChatMessage[]; hasMore: boolean }[] = [];
      let query = '';
      for (;;) {
        const res = await history(guest, roomId, query);
        expect(res.status).toBe(200);
        const page = res.body as { messages: ChatMessage[]; hasMore: boolean };
        pages.push(page);
        if (!page.hasMore) break;
        query = `?before=${page.messages[0]!.id}`;
      }
      expect(pages.map((p) => [p.messages.length, p.hasMore])).toEqual([
        [50, true],
        [50, true],
        [20, false],
      ]);
      expect(pages[0]!.messages.map((m) => m.seq)).toEqual(range(71, 120));
      expect(pages[1]!.messages.map((m) => m.seq)).toEqual(range(21, 70));
      expect(pages[2]!.messages.map((m) => m.seq)).toEqual(range(1, 20));
      // Reassembled, the pages are exactly what was sent, as it was broadcast.
      const all = pages.reverse().flatMap((p) => p.messages);
      expect(all).toEqual(sent.map(withoutEnvelope));
      expect(new Set(all.map((m) => m.id)).size).toBe(120);
      expect(all.every((m) => ChatMessageId.safeParse(m.id).success)).toBe(true);

      const small = await history(guest, roomId, `?limit=7&before=${all[10]!.id}`);
      expect((small.body.messages as ChatMessage[]).map((m) => m.seq)).toEqual(range(4, 10));
      expect(small.body.hasMore).toBe(true);
      // Exactly `limit` left: all of them, and nothing more.
      const exact = await history(guest, roomId, `?limit=20&before=${all[20]!.id}`);
      expect((exact.body.messages as ChatMessage[]).map((m) => m.seq)).toEqual(range(1, 20));
      expect(exact.body.hasMore).toBe(false);
      const first = await history(guest, roomId, `?before=${all[0]!.id}`);
      expect(first.body).toEqual({ messages: [], hasMore: false });
    });

    it('room.joined carries the last 50 messages, oldest first', async () => {
      const { host, roomId, sent } = await chatter(55);
      const late = await s.inRoom(await admitted(host, roomId), roomId);
      const joined = late.received.find((m) => m.type === 'room.joined');
      expect(joined?.type).toBe('room.joined');
      if (joined?.type !== 'room.joined') return;
      expect(joined.chat).toHaveLength(CHAT_LIMITS.tailSize);
      expect(joined.chat.map((m) => m.seq)).toEqual(range(6, 55));
      expect(joined.chat.at(-1)).toEqual(withoutEnvelope(sent.at(-1)!));
    });

    it('only people admitted to the room can read it: strangers and unknown rooms 404, the lobby and the removed 403, anonymous 401', async () => {
      const { host, roomId } = await openRoom({ entry: 'approval' });
      const h = await s.inRoom(host, roomId);
      await said(h, 'secret plans');
      const left = await admitted(host, roomId, 'Leaver');
      await s.api('POST', `/api/rooms/${roomId}/leave`, left);
      const kicked = await admitted(host, roomId, 'Kicked');
      await s.decide(host, roomId, kicked.id, 'kick');
      const waiting = await s.guest('Waiting');
      expect(await s.enter(waiting, roomId)).toBe('pending');
      const denied = await s.guest('Denied');
      await s.enter(denied, roomId);
      await s.decide(host, roomId, denied.id, 'deny');
      const stranger = await s.member('stranger');

      for (const who of [host, left]) {
        const res = await history(who, roomId);
        expect(res.status).toBe(200);
        expect((res.body.messages as ChatMessage[]).map((m) => m.text)).toEqual(['secret plans']);
      }
      for (const who of [waiting, denied, kicked]) {
        const res = await history(who, roomId);
        expect([res.status, (res.body.error as { code: string }).code]).toEqual([
          403,
          'NOT_APPROVED',
        ]);
      }
      const unknown = await history(host, '00000000-0000-4000-8000-000000000000');
      const strange = await history(stranger, roomId);
      expect(strange.status).toBe(404);
      expect(strange.body.error).toMatchObject({ code: 'ROOM_NOT_FOUND' });
      // The same answer as for a room that does not exist.
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({
        code: 'ROOM_NOT_FOUND',
        message: (strange.body.error as { message: string }).message,
      });
      expect(JSON.stringify(strange.body)).not.toContain('secret');

      // An ended meeting's chat stays readable for the people who were in it.
      await s.end(host, roomId);
      expect((await history(left, roomId)).status).toBe(200);
      expect((await history(stranger, roomId)).status).toBe(404);

      const anonymous = await history(undefined, roomId);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('a bad limit or a `before` that is not a message of this room is 400', async () => {
      const { host, roomId } = await openRoom();
      const other = await openRoom();
      const o = await s.inRoom(other.host, other.roomId);
      const foreign = await said(o, 'elsewhere');
      for (const query of [
        '?limit=0',
        '?limit=101',
        '?limit=abc',
        '?before=nope',
        `?before=${foreign.id}`,
        '?before=00000000000000000000000000',
      ]) {
        const res = await history(host, roomId, query);
        expect(res.status, query).toBe(400);
        expect((res.body.error as { code: string }).code).toBe('VALIDATION_FAILED');
      }
      expect((await history(host, roomId, '?limit=100')).status).toBe(200);
    });
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A `chat.message` as stored: without `type` and the sender's `ref`. */
function withoutEnvelope(m: ServerMessageOf<'chat.message'>): ChatMessage {
  const { type: _type, ref: _ref, ...rest } = m;
  return rest;
}
