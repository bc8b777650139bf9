import type { PlaybackCommand, PlaybackState } from '@parley/protocol';
import { currentPosition } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { INITIAL_PLAYBACK, applyCommand } from './state.js';

const T = 1_700_000_000_000;
const video = { kind: 'url', url: 'https://media.example.org/a.mp4' } as const;

/** Applies commands at the given times (ms after T), returning every state. */
function run(...steps: [number, PlaybackCommand][]): PlaybackState[] {
  const states: PlaybackState[] = [];
  let s = INITIAL_PLAYBACK;
  for (const [at, command] of steps) states.push((s = applyCommand(s, command, T + at)));
  return states;
}

describe('applyCommand', () => {
  it('set loads a source paused at 0 and keeps the rate; null clears it', () => {
    const [loaded, faster, replaced, cleared] = run(
      [0, { type: 'playback.set', source: video }],
      [1_000, { type: 'playback.rate', rate: 1.5 }],
      [2_000, { type: 'playback.set', source: { kind: 'youtube', videoId: 'dQw4w9WgXcQ' } }],
      [3_000, { type: 'playback.set', source: null }],
    );
    expect(loaded).toEqual({
      source: video,
      playing: false,
      position: 0,
      updatedAt: T,
      rate: 1,
      version: 1,
    });
    expect(faster).toMatchObject({ rate: 1.5, version: 2 });
    expect(replaced).toMatchObject({ position: 0, playing: false, rate: 1.5, version: 3 });
    expect(cleared).toMatchObject({ source: null, playing: false, position: 0, version: 4 });
  });

  it('play runs from where the video stood; pause stores where it got to', () => {
    const [, , playing, paused, again] = run(
      [0, { type: 'playback.set', source: video }],
      [1_000, { type: 'playback.seek', time: 10 }],
      [2_000, { type: 'playback.play' }],
      [7_000, { type: 'playback.pause' }],
      [60_000, { type: 'playback.play' }],
    );
    expect(playing).toMatchObject({ playing: true, position: 10, updatedAt: T + 2_000 });
    expect(paused).toMatchObject({ playing: false, position: 15, updatedAt: T + 7_000 });
    // Time paused does not count.
    expect(again).toMatchObject({ playing: true, position: 15 });
    expect(currentPosition(again!, T + 61_000)).toBe(16);
  });

  it('seek moves the position and keeps playing or paused as it was', () => {
    const [, playing, seekPlaying, , seekPaused] = run(
      [0, { type: 'playback.set', source: video }],
      [0, { type: 'playback.play' }],
      [5_000, { type: 'playback.seek', time: 42 }],
      [6_000, { type: 'playback.pause' }],
      [9_000, { type: 'playback.seek', time: 3 }],
    );
    expect(playing?.playing).toBe(true);
    expect(seekPlaying).toMatchObject({ playing: true, position: 42, updatedAt: T + 5_000 });
    expect(seekPaused).toMatchObject({ playing: false, position: 3 });
  });

  it('a rate change counts the time before it at the old rate', () => {
    const [, , doubled] = run(
      [0, { type: 'playback.set', source: video }],
      [0, { type: 'playback.play' }],
      [4_000, { type: 'playback.rate', rate: 2 }],
    );
    expect(doubled).toMatchObject({ position: 4, rate: 2, playing: true });
    expect(currentPosition(doubled!, T + 6_000)).toBe(8);
  });

  it('every command makes a new version, even one that changes nothing visible', () => {
    const states = run(
      [0, { type: 'playback.set', source: video }],
      [0, { type: 'playback.pause' }],
      [0, { type: 'playback.pause' }],
    );
    expect(states.map((s) => s.version)).toEqual([1, 2, 3]);
  });

  it.each([
    { type: 'playback.play' },
    { type: 'playback.pause' },
    { type: 'playback.seek', time: 1 },
    { type: 'playback.rate', rate: 1 },
  ] as PlaybackCommand[])('$type without a source is NO_PLAYBACK_SOURCE', (command) => {
    let thrown: unknown;
    try {
      applyCommand(INITIAL_PLAYBACK, command, T);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('NO_PLAYBACK_SOURCE');
  });

  it('stores only the protocol fields of a source', () => {
    const sneaky = { kind: 'url', url: video.url, extra: 'x' } as unknown as typeof video;
    const [s] = run([0, { type: 'playback.set', source: sneaky }]);
    expect(s?.source).toEqual(video);
  });
});
