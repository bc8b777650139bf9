import { describe, expect, it } from 'vitest';
import { SpeakingTracker } from './speaking';

describe('SpeakingTracker', () => {
  it('lights up at once and stays lit through short pauses', () => {
    const s = new SpeakingTracker(0.1, 500);
    expect(s.sample('a', 0.02, 0)).toBe(false);
    expect(s.sample('a', 0.3, 100)).toBe(true);
    expect(s.sample('a', 0.01, 400)).toBe(true);
    expect(s.sample('a', 0.01, 601)).toBe(false);
    expect(s.sample('a', 0.01, 700)).toBe(false);
  });

  it('tracks people separately and forgets those who left', () => {
    const s = new SpeakingTracker(0.1, 500);
    s.sample('a', 0.5, 0);
    expect(s.sample('b', 0, 10)).toBe(false);
    s.retain(new Set(['b']));
    expect(s.sample('a', 0, 20)).toBe(false);
  });
});
