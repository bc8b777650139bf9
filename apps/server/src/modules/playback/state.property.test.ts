import { PLAYBACK_LIMITS, PlaybackState, currentPosition } from '@parley/protocol';
import type { PlaybackCommand } from '@parley/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { INITIAL_PLAYBACK, applyCommand } from './state.js';

// Server epoch ms from 1970 to 2100.
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
const rate = fc.double({ min: PLAYBACK_LIMITS.minRate, max: PLAYBACK_LIMITS.maxRate, noNaN: true });
const seconds = fc.double({ min: 0, max: PLAYBACK_LIMITS.maxSeekSeconds, noNaN: true });

const source = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https'] }).map((url) => ({ kind: 'url' as const, url })),
  fc
    .stringMatching(/^[A-Za-z0-9_-]{11}$/)
    .map((videoId) => ({ kind: 'youtube' as const, videoId })),
);

const state: fc.Arbitrary<PlaybackState> = fc.record({
  source: fc.option(source, { nil: null }),
  playing: fc.boolean(),
  position: seconds,
  updatedAt: time,
  rate,
  version: fc.nat({ max: 1_000_000_000 }),
});

const command: fc.Arbitrary<PlaybackCommand> = fc.oneof(
  fc.record({
    type: fc.constant('playback.set' as const),
    source: fc.option(source, { nil: null }),
  }),
  fc.record({ type: fc.constant('playback.play' as const) }),
  fc.record({ type: fc.constant('playback.pause' as const) }),
  fc.record({ type: fc.constant('playback.seek' as const), time: seconds }),
  fc.record({ type: fc.constant('playback.rate' as const), rate }),
);

/** A state with a video loaded, so every command applies. */
const loaded = state.chain((s) => source.map((src) => ({ ...s, source: src })));

/** applyCommand, or the error it threw. */
function attempt(s: PlaybackState, c: PlaybackCommand, now: number): PlaybackState | AppError {
  try {
    return applyCommand(s, c, now);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('applyCommand, for any state, command and time', () => {
  it('never changes the state or the command it is given', () => {
    fc.assert(
      fc.property(state, command, time, (s, c, now) => {
        const before = structuredClone({ s, c });
        // Frozen: a write anywhere inside would throw (modules run in strict mode).
        attempt(deepFreeze(s), deepFreeze(c), now);
        expect({ s, c }).toEqual(before);
      }),
    );
  });

  it('makes a state the protocol accepts, one version up, dated now', () => {
    fc.assert(
      fc.property(loaded, command, time, (s, c, now) => {
        const next = applyCommand(s, c, now);
        expect(PlaybackState.safeParse(next).success).toBe(true);
        expect(next.version).toBe(s.version + 1);
        expect(next.updatedAt).toBe(now);
        expect(currentPosition(next, now)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('refuses every command but set when no video is loaded, with NO_PLAYBACK_SOURCE', () => {
    fc.assert(
      fc.property(state, command, time, (s, c, now) => {
        const result = attempt({ ...s, source: null }, c, now);
        if (c.type === 'playback.set') {
          expect(result).not.toBeInstanceOf(AppError);
        } else {
          expect(result).toBeInstanceOf(AppError);
          expect((result as AppError).code).toBe('NO_PLAYBACK_SOURCE');
        }
      }),
    );
  });

  it('play, pause and rate change how the video moves from now on, never where it is now', () => {
    const continuous = command.filter((c) =>
      ['playback.play', 'playback.pause', 'playback.rate'].includes(c.type),
    );
    fc.assert(
      fc.property(loaded, continuous, time, (s, c, now) => {
        const next = applyCommand(s, c, now);
        expect(currentPosition(next, now)).toBe(currentPosition(s, now));
        expect(next.source).toEqual(s.source);
        if (c.type === 'playback.play') expect(next.playing).toBe(true);
        if (c.type === 'playback.pause') expect(next.playing).toBe(false);
        if (c.type === 'playback.rate') expect(next.rate).toBe(c.rate);
        else expect(next.rate).toBe(s.rate);
      }),
    );
  });

  it('a seek puts the video exactly at the time asked, keeping play or pause and the rate', () => {
    fc.assert(
      fc.property(loaded, seconds, time, fc.nat({ max: 3600_000 }), (s, t, now, later) => {
        const next = applyCommand(s, { type: 'playback.seek', time: t }, now);
        expect(next.position).toBe(t);
        expect(currentPosition(next, now)).toBe(t);
        expect(next).toMatchObject({ playing: s.playing, rate: s.rate, source: s.source });
        if (!s.playing) expect(currentPosition(next, now + later)).toBe(t);
      }),
    );
  });

  it('set loads the source (protocol fields only) paused at 0, keeping the rate', () => {
    fc.assert(
      fc.property(state, fc.option(source, { nil: null }), time, (s, src, now) => {
        const sneaky = src && { ...src, extra: 'x' };
        const next = applyCommand(s, { type: 'playback.set', source: sneaky }, now);
        expect(next).toEqual({
          source: src,
          playing: false,
          position: 0,
          updatedAt: now,
          rate: s.rate,
          version: s.version + 1,
        });
      }),
    );
  });

  it('over any run of commands: one version per command applied, position never negative', () => {
    const steps = fc.array(fc.tuple(fc.integer({ min: -5_000, max: 60_000 }), command), {
      maxLength: 40,
    });
    fc.assert(
      fc.property(time, steps, (start, steps) => {
        let s = INITIAL_PLAYBACK;
        let now = start;
        let applied = 0;
        for (const [dt, c] of steps) {
          // The clock may step back a little, as a real one can.
          now = Math.max(0, now + dt);
          const result = attempt(s, c, now);
          if (result instanceof AppError) {
            expect(s.source).toBeNull();
            continue;
          }
          applied++;
          s = result;
          expect(s.version).toBe(applied);
          expect(s.position).toBeGreaterThanOrEqual(0);
          expect(currentPosition(s, now + 1_000)).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('time spent paused does not count, time spent playing counts at the rate', () => {
    fc.assert(
      fc.property(
        loaded,
        time,
        fc.nat({ max: 3600_000 }),
        fc.nat({ max: 3600_000 }),
        rate,
        (s, now, playedMs, pausedMs, r) => {
          let x = applyCommand(s, { type: 'playback.rate', rate: r }, now);
          x = applyCommand(x, { type: 'playback.play' }, now);
          const from = x.position;
          x = applyCommand(x, { type: 'playback.pause' }, now + playedMs);
          const stopped = x.position;
          x = applyCommand(x, { type: 'playback.play' }, now + playedMs + pausedMs);
          expect(x.position).toBe(stopped);
          const expected = from + (playedMs / 1000) * r;
          expect(Math.abs(stopped - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected));
        },
      ),
    );
  });
});
