import type { PlaybackState } from '@parley/protocol';
import { INITIAL_PLAYBACK_STATE } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { FakeSocket } from './fake-socket';
import { usePlayback } from './usePlayback';

const ROOM = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';
const ADA = '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11';
const SRC = { kind: 'url' as const, url: 'https://v.test/a.webm' };

const state = (version: number, extra: Partial<PlaybackState> = {}): PlaybackState => ({
  source: SRC,
  playing: false,
  position: 0,
  updatedAt: 0,
  rate: 1,
  version,
  ...extra,
});

function setup(localNow: { t: number }, serverOffset = 0) {
  const socket = new FakeSocket(ADA);
  const pb = usePlayback({
    socket,
    roomId: ROOM,
    now: () => localNow.t,
    serverOffset: () => serverOffset,
  });
  const push = (s: PlaybackState, serverTime: number, ref?: string) =>
    socket.emit({
      type: 'playback.state',
      roomId: ROOM,
      state: s,
      serverTime,
      by: ADA,
      ...(ref ? { ref } : {}),
    });
  return { socket, pb, push };
}

describe('usePlayback', () => {
  it('keeps only newer versions', () => {
    const now = { t: 1000 };
    const { pb, push } = setup(now);
    push(state(3, { position: 30 }), 1000);
    push(state(2, { position: 20 }), 1000);
    push(state(3, { position: 99 }), 1000);
    expect(pb.state.value.position).toBe(30);
    push(state(4, { position: 40 }), 1000);
    expect(pb.state.value.position).toBe(40);
  });

  it('puts a late joiner at the stored position advanced by the server clock', () => {
    const now = { t: 50_000 };
    // The call measured the server clock 10 s ahead of this one; the video started at 12 s,
    // 5 s ago.
    const { socket, pb } = setup(now, 10_000);
    socket.emit({
      type: 'room.joined',
      roomId: ROOM,
      room: {} as never,
      spotlight: null,
      self: { connectionId: 'c', userId: ADA, role: 'participant' },
      participants: [],
      lobby: [],
      chat: [],
      playback: state(7, { playing: true, position: 12, updatedAt: 55_000 }),
      serverTime: 60_000,
    });
    expect(pb.target()).toBeCloseTo(17);
    now.t += 2000;
    expect(pb.target()).toBeCloseTo(19);
  });

  it('sends host commands with refs and reports a refusal', () => {
    const { socket, pb } = setup({ t: 0 });
    pb.set(SRC);
    pb.play();
    pb.seek(-3);
    pb.stop();
    expect(socket.sent.map((m) => m.type)).toEqual([
      'playback.set',
      'playback.play',
      'playback.seek',
      'playback.set',
    ]);
    expect(socket.sent[2]).toMatchObject({ time: 0 });
    expect(socket.sent[3]).toMatchObject({ source: null });
    socket.emit({
      type: 'error',
      ref: (socket.sent[1] as { ref: string }).ref,
      code: 'NOT_HOST',
      message: '',
    });
    expect(pb.error.value).toBe('NOT_HOST');
  });

  it('starts from the initial state', () => {
    const { pb } = setup({ t: 0 });
    expect(pb.state.value).toEqual(INITIAL_PLAYBACK_STATE);
  });
});
