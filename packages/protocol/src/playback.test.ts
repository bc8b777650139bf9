import { describe, expect, it } from 'vitest';
import { PlaybackState, currentPosition } from './playback.js';

const at = 1_700_000_000_000;
const state = (over: Partial<PlaybackState> = {}): PlaybackState => ({
  source: { kind: 'url', url: 'https://example.org/v.mp4' },
  playing: true,
  position: 10,
  updatedAt: at,
  rate: 1,
  version: 1,
  ...over,
});

describe('currentPosition', () => {
  it('advances a playing video by the time since the change, scaled by the rate', () => {
    expect(currentPosition(state(), at + 5_000)).toBe(15);
    expect(currentPosition(state({ rate: 2 }), at + 5_000)).toBe(20);
    expect(currentPosition(state({ rate: 0.5 }), at + 3_000)).toBe(11.5);
  });

  it('keeps a paused video where it stopped, however much time passed', () => {
    expect(currentPosition(state({ playing: false }), at + 60_000)).toBe(10);
  });

  it('never moves back when the clock reads earlier than the change', () => {
    expect(currentPosition(state(), at - 2_000)).toBe(10);
  });
});

describe('PlaybackState', () => {
  it('accepts a cleared player and rejects a negative position or a zero rate', () => {
    const cleared = {
      source: null,
      playing: false,
      position: 0,
      updatedAt: 0,
      rate: 1,
      version: 0,
    };
    expect(PlaybackState.parse(cleared)).toEqual(cleared);
    expect(PlaybackState.safeParse({ ...cleared, position: -1 }).success).toBe(false);
    expect(PlaybackState.safeParse({ ...cleared, rate: 0 }).success).toBe(false);
  });
});
