import type { PlaybackState } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ClockOffset, parseWatchSource, syncDecision, targetPosition } from './sync';

describe('syncDecision', () => {
  const playing = { playing: true, rate: 1 };
  it('does nothing when within 0.1 s', () => {
    expect(syncDecision({ current: 10.05, target: 10, ...playing })).toEqual({ rate: 1 });
    expect(syncDecision({ current: 9.95, target: 10, ...playing })).toEqual({ rate: 1 });
  });
  it('seeks when more than 0.5 s off, ahead or behind', () => {
    expect(syncDecision({ current: 12, target: 10, ...playing })).toEqual({ seekTo: 10, rate: 1 });
    expect(syncDecision({ current: 9.4, target: 10, ...playing })).toEqual({ seekTo: 10, rate: 1 });
  });
  it('nudges the rate for small drift while playing', () => {
    expect(syncDecision({ current: 10.3, target: 10, ...playing }).rate).toBeCloseTo(0.95);
    expect(syncDecision({ current: 9.7, target: 10, ...playing }).rate).toBeCloseTo(1.05);
    expect(syncDecision({ current: 9.7, target: 10, playing: true, rate: 2 }).rate).toBeCloseTo(
      2.1,
    );
    expect(syncDecision({ current: 9.7, target: 10, ...playing }).seekTo).toBeUndefined();
  });
  it('seeks a paused player that is more than 0.1 s off, never nudges it', () => {
    expect(syncDecision({ current: 9.7, target: 10, playing: false, rate: 1 })).toEqual({
      seekTo: 10,
      rate: 1,
    });
    expect(syncDecision({ current: 9.95, target: 10, playing: false, rate: 1 })).toEqual({
      rate: 1,
    });
  });
  it('caps the target at the duration so an ended video is left alone', () => {
    expect(syncDecision({ current: 8, target: 30, duration: 8, ...playing })).toEqual({ rate: 1 });
    expect(syncDecision({ current: 2, target: 30, duration: 8, ...playing })).toEqual({
      seekTo: 8,
      rate: 1,
    });
  });
});

describe('ClockOffset', () => {
  it('is 0 before any sample and ignores serverTime 0', () => {
    const c = new ClockOffset();
    c.sample(0, 1000);
    expect(c.offset).toBe(0);
    expect(c.serverNow(5)).toBe(5);
  });
  it('takes the largest recent sample (the least delayed message)', () => {
    const c = new ClockOffset(3);
    c.sample(10_000, 9_000); // 1000 (delay unknown)
    c.sample(20_100, 19_000); // 1100: faster message
    c.sample(30_050, 29_000); // 1050
    expect(c.offset).toBe(1100);
    expect(c.serverNow(100)).toBe(1200);
  });
  it('forgets samples older than its window', () => {
    const c = new ClockOffset(2);
    c.sample(5000, 0); // 5000
    c.sample(1000, 0);
    c.sample(1000, 0);
    expect(c.offset).toBe(1000);
  });
});

describe('targetPosition', () => {
  const state: PlaybackState = {
    source: { kind: 'url', url: 'https://v.test/a.webm' },
    playing: true,
    position: 10,
    updatedAt: 100_000,
    rate: 1,
    version: 3,
  };
  it('advances a playing state by the server clock, not the local one', () => {
    const c = new ClockOffset();
    c.sample(102_000, 52_000); // the server is 50 s ahead
    expect(targetPosition(state, c, 55_000)).toBeCloseTo(15);
  });
  it('stays put when paused', () => {
    const c = new ClockOffset();
    expect(targetPosition({ ...state, playing: false }, c, 999_999)).toBe(10);
  });
});

describe('parseWatchSource', () => {
  it('reads YouTube links and bare ids', () => {
    const yt = { kind: 'youtube', videoId: 'dQw4w9WgXcQ' };
    expect(parseWatchSource('dQw4w9WgXcQ')).toEqual(yt);
    expect(parseWatchSource('https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1')).toEqual(yt);
    expect(parseWatchSource('https://youtu.be/dQw4w9WgXcQ')).toEqual(yt);
    expect(parseWatchSource('https://www.youtube.com/shorts/dQw4w9WgXcQ')).toEqual(yt);
    expect(parseWatchSource('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ')).toEqual(yt);
  });
  it('takes other http(s) URLs as direct video', () => {
    expect(parseWatchSource(' http://127.0.0.1:8080/test.webm ')).toEqual({
      kind: 'url',
      url: 'http://127.0.0.1:8080/test.webm',
    });
  });
  it('refuses other schemes, credentials and a broken YouTube link', () => {
    expect(parseWatchSource('javascript:alert(1)')).toBeUndefined();
    expect(parseWatchSource('data:video/webm;base64,AAAA')).toBeUndefined();
    expect(parseWatchSource('https://u:p@v.test/a.mp4')).toBeUndefined();
    expect(parseWatchSource('https://www.youtube.com/watch?v=short')).toBeUndefined();
    expect(parseWatchSource('')).toBeUndefined();
  });
});
