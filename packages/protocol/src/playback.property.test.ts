import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLAYBACK_LIMITS, currentPosition } from './playback.js';

// Server epoch ms from 1970 to 2100; positions up to a week of video.
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
const position = fc.double({ min: 0, max: PLAYBACK_LIMITS.maxSeekSeconds, noNaN: true });
const rate = fc.double({ min: PLAYBACK_LIMITS.minRate, max: PLAYBACK_LIMITS.maxRate, noNaN: true });
const clock = fc.record({ playing: fc.boolean(), position, updatedAt: time, rate });
const playing = fc.record({ playing: fc.constant(true), position, updatedAt: time, rate });

/** Equal up to floating-point rounding of numbers this size. */
function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe('currentPosition, for any state and time', () => {
  it('is never negative and always finite', () => {
    fc.assert(
      fc.property(clock, time, (s, now) => {
        const p = currentPosition(s, now);
        expect(Number.isFinite(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('stands still while paused, whatever the time', () => {
    fc.assert(
      fc.property(clock, time, time, (s, t1, t2) => {
        const paused = { ...s, playing: false };
        expect(currentPosition(paused, t1)).toBe(s.position);
        expect(currentPosition(paused, t2)).toBe(s.position);
      }),
    );
  });

  it('never moves back as time goes on, nor before the last change', () => {
    fc.assert(
      fc.property(clock, time, time, (s, a, b) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        expect(currentPosition(s, t2)).toBeGreaterThanOrEqual(currentPosition(s, t1));
        expect(currentPosition(s, Math.min(t1, s.updatedAt))).toBe(s.position);
      }),
    );
  });

  it('while playing, grows by the elapsed time times the rate', () => {
    fc.assert(
      fc.property(
        playing,
        fc.nat({ max: 7 * 24 * 3600_000 }),
        fc.nat({ max: 3600_000 }),
        (s, d1, d2) => {
          const t1 = s.updatedAt + d1;
          const t2 = t1 + d2;
          expectClose(currentPosition(s, t1), s.position + (d1 / 1000) * s.rate);
          expectClose(currentPosition(s, t2) - currentPosition(s, t1), (d2 / 1000) * s.rate);
        },
      ),
    );
  });

  it('gives the same answer from a state rebased at any later time (what play, pause and rate do)', () => {
    fc.assert(
      fc.property(clock, fc.nat({ max: 3600_000 }), fc.nat({ max: 3600_000 }), (s, d1, d2) => {
        const t1 = s.updatedAt + d1;
        const rebased = { ...s, position: currentPosition(s, t1), updatedAt: t1 };
        expectClose(currentPosition(rebased, t1 + d2), currentPosition(s, t1 + d2));
      }),
    );
  });
});
