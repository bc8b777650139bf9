import { currentPosition } from '@parley/protocol';
import type { PlaybackState, ServerMessageOf } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects } from '../../test/harness.js';
import type { TestClient } from '../signaling/test-client.js';
import { SignalingServer, eventually } from '../signaling/test-server.js';

// Integration: the real app on a random port and real sockets; a manual clock makes the
// positions exact (the server computes them from its clock, never from a client's).

describe.each(dialects)('watch together on %s', (dialect) => {
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

  const video = { kind: 'url', url: 'https://media.example.org/talk.webm' } as const;

  async function flush(c: TestClient): Promise<void> {
    expect((await c.request({ type: 'ping' })).type).toBe('pong');
  }

  /** A room with its host and one participant, both in the call. */
  async function call() {
    const host = await s.member('host');
    const roomId = await s.createRoom(host);
    const guest = await s.guest('Viewer');
    await s.enter(guest, roomId);
    const h = await s.inRoom(host, roomId);
    const g = await s.inRoom(guest, roomId);
    await h.next('participant.joined');
    return { host, guest, roomId, h, g };
  }

  /** Sends a command and returns the `playback.state` that answers it (or fails). */
  async function command(c: TestClient, message: Record<string, unknown>) {
    const reply = await c.request(message);
    if (reply.type !== 'playback.state') throw new Error(`refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  const storedState = (roomId: string): Promise<PlaybackState> =>
    s.t.services.playback.current(roomId);

  it("the host's set, play, pause and seek reach everyone in the room as playback.state, with the server's time and the host as `by`", async () => {
    const { host, roomId, h, g } = await call();
    const other = await s.member('other');
    const elsewhere = await s.inRoom(other, await s.createRoom(other));

    const steps: [number, Record<string, unknown>, Partial<PlaybackState>][] = [
      [0, { type: 'playback.set', source: video }, { source: video, playing: false, position: 0 }],
      [2_000, { type: 'playback.play' }, { playing: true, position: 0 }],
      [4_000, { type: 'playback.pause' }, { playing: false, position: 4 }],
      [1_000, { type: 'playback.seek', time: 30 }, { playing: false, position: 30 }],
      [0, { type: 'playback.play' }, { playing: true, position: 30 }],
      [3_000, { type: 'playback.rate', rate: 1.5 }, { playing: true, position: 33, rate: 1.5 }],
    ];
    let version = 0;
    for (const [advance, cmd, expected] of steps) {
      clock.advance(advance);
      const now = clock.now().getTime();
      const mine = await command(h, cmd);
      const theirs = await g.next('playback.state');
      const state = { ...expected, updatedAt: now, version: ++version };
      expect(mine).toMatchObject({ roomId, state, serverTime: now, by: host.id });
      expect(mine.ref).toEqual(expect.any(String));
      const { ref: _ref, ...withoutRef } = mine;
      expect(theirs).toEqual(withoutRef);
    }
    expect(await storedState(roomId)).toMatchObject({ position: 33, rate: 1.5, version });
    await flush(elsewhere);
    expect(elsewhere.received.filter((m) => m.type === 'playback.state')).toEqual([]);
  });

  it("a participant's commands are refused with NOT_HOST and change nothing for anyone", async () => {
    const { roomId, h, g } = await call();
    await command(h, { type: 'playback.set', source: video });
    await g.next('playback.state');
    const before = await storedState(roomId);

    for (const cmd of [
      { type: 'playback.set', source: { kind: 'youtube', videoId: 'dQw4w9WgXcQ' } },
      { type: 'playback.set', source: null },
      { type: 'playback.play' },
      { type: 'playback.pause' },
      { type: 'playback.seek', time: 99 },
      { type: 'playback.rate', rate: 2 },
    ]) {
      expect(await g.request(cmd)).toMatchObject({ type: 'error', code: 'NOT_HOST' });
    }
    expect(await storedState(roomId)).toEqual(before);
    await flush(h);
    await flush(g);
    expect(h.peekAll('playback.state')).toEqual([]);
    expect(g.peekAll('playback.state')).toEqual([]);
  });

  it('a co-host may control the player', async () => {
    const { host, guest, roomId, h, g } = await call();
    expect(await g.request({ type: 'playback.set', source: video })).toMatchObject({
      code: 'NOT_HOST',
    });
    await s.decide(host, roomId, guest.id, 'promote');
    await g.next('participant.updated');
    const set = await command(g, { type: 'playback.set', source: video });
    expect(set).toMatchObject({ by: guest.id, state: { source: video, version: 1 } });
    expect(await h.next('playback.state')).toMatchObject({ by: guest.id });
    expect((await command(g, { type: 'playback.play' })).state.playing).toBe(true);
  });

  it('a late joiner gets the current state and server time in room.joined and lands where the video is now', async () => {
    const { host, roomId, h } = await call();
    await command(h, { type: 'playback.set', source: video });
    await command(h, { type: 'playback.seek', time: 10 });
    await command(h, { type: 'playback.play' });
    clock.advance(5_000);

    const late = await s.guest('Late');
    await s.enter(late, roomId);
    const joined = await (await s.connect(late)).join(roomId);
    expect(joined.playback).toMatchObject({
      source: video,
      playing: true,
      position: 10,
      version: 3,
    });
    expect(joined.serverTime).toBe(clock.now().getTime());
    expect(currentPosition(joined.playback, joined.serverTime)).toBe(15);

    // Paused, it stays put however late one comes.
    await command(h, { type: 'playback.pause' });
    clock.advance(60_000);
    const later = await s.inRoom(host, roomId);
    const again = later.received.find(
      (m): m is ServerMessageOf<'room.joined'> => m.type === 'room.joined',
    );
    expect(again?.playback).toMatchObject({ playing: false, position: 15, version: 4 });
    expect(currentPosition(again!.playback, again!.serverTime)).toBe(15);
  });

  it('a room that never had a video joins with an empty player', async () => {
    const { h } = await call();
    const joined = h.received.find(
      (m) => m.type === 'room.joined',
    ) as ServerMessageOf<'room.joined'>;
    expect(joined.playback).toEqual({
      source: null,
      playing: false,
      position: 0,
      updatedAt: 0,
      rate: 1,
      version: 0,
    });
  });

  it('play, pause, seek and rate without a video are NO_PLAYBACK_SOURCE; clearing it goes back to that', async () => {
    const { roomId, h, g } = await call();
    for (const cmd of [
      { type: 'playback.play' },
      { type: 'playback.pause' },
      { type: 'playback.seek', time: 1 },
      { type: 'playback.rate', rate: 1 },
    ]) {
      expect(await h.request(cmd)).toMatchObject({ type: 'error', code: 'NO_PLAYBACK_SOURCE' });
    }
    await command(h, { type: 'playback.set', source: video });
    await command(h, { type: 'playback.play' });
    const cleared = await command(h, { type: 'playback.set', source: null });
    expect(cleared.state).toMatchObject({ source: null, playing: false, position: 0, version: 3 });
    expect(await g.next('playback.state', { match: (m) => m.state.version === 3 })).toBeTruthy();
    expect(await h.request({ type: 'playback.play' })).toMatchObject({
      code: 'NO_PLAYBACK_SOURCE',
    });
    expect((await storedState(roomId)).version).toBe(3);
  });

  it('bad commands are INVALID_MESSAGE and commands outside a call NOT_IN_ROOM; the connection stays', async () => {
    const { host, h } = await call();
    for (const cmd of [
      { type: 'playback.set', source: { kind: 'url', url: 'javascript:alert(1)' } },
      { type: 'playback.seek', time: -1 },
      { type: 'playback.rate', rate: 3 },
      { type: 'playback.play', by: host.id },
    ]) {
      expect(await h.request(cmd)).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    }
    const outside = await s.connect(host);
    expect(await outside.request({ type: 'playback.set', source: video })).toMatchObject({
      code: 'NOT_IN_ROOM',
    });
    await flush(h);
    await flush(outside);
  });

  it('when the room closes its player state is dropped', async () => {
    const { host, roomId, h } = await call();
    await command(h, { type: 'playback.set', source: video });
    expect((await storedState(roomId)).version).toBe(1);
    await s.end(host, roomId);
    await h.whenClosed();
    await eventually(async () => (await storedState(roomId)).version === 0, 'the state is gone');
  });
});
