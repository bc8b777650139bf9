import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitrateForRoomSize } from './bitrate';
import {
  SEND_LIMITS,
  SendLimiter,
  cameraLimitsForRoom,
  scaleForBitrate,
  screenLimits,
} from './send-limits';
import type { VideoLimits } from './send-limits';

// The documented rules, as literals: a test must not move when SEND_LIMITS does.
const warmupSamples = 2;
const downSamples = 2;
const resolutionUpSamples = 4;

/** Feeds estimates (bits/s; undefined = the browser reported none) and returns each answer. */
function feed(limiter: SendLimiter, estimates: (number | undefined)[]) {
  return estimates.map((availableOutgoingBitrate) => limiter.update({ availableOutgoingBitrate }));
}

/** A limiter past its warm-up (fed estimates that change nothing). */
function warmed(people = 2): SendLimiter {
  const limiter = new SendLimiter({ people });
  feed(limiter, Array<number>(warmupSamples).fill(10_000_000));
  return limiter;
}

const times = <T>(n: number, value: T): T[] => Array<T>(n).fill(value);
const limits = (maxBitrate: number, scaleResolutionDownBy: number): VideoLimits => ({
  maxBitrate,
  scaleResolutionDownBy,
});

describe('the chosen numbers', () => {
  it('steps resolution at 600 and 250 kbps, and needs 20% more to step back up', () => {
    expect(
      [1_500_000, 600_000, 599_999, 250_000, 249_999, 0].map((b) => scaleForBitrate(b)),
    ).toEqual([1, 1, 2, 2, 4, 4]);
    const up = (b: number) => scaleForBitrate(b, SEND_LIMITS.upMargin);
    expect([720_000, 719_999, 300_000, 299_999].map(up)).toEqual([1, 2, 2, 4]);
  });

  it('gives the camera the room-size ceiling and the resolution it affords', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 50].map((n) => cameraLimitsForRoom(n))).toEqual([
      limits(1_500_000, 1),
      limits(1_500_000, 1),
      limits(800_000, 1),
      limits(800_000, 1),
      limits(500_000, 2),
      limits(500_000, 2),
      limits(300_000, 2),
      limits(300_000, 2),
    ]);
  });
});

describe('SendLimiter: room size', () => {
  it('starts from the room size and follows it at once, reporting only changes', () => {
    const limiter = new SendLimiter({ people: 2 });
    expect(limiter.limits).toEqual(limits(1_500_000, 1));
    expect(limiter.setPeople(2)).toBeUndefined();
    expect(limiter.setPeople(3)).toEqual(limits(800_000, 1));
    expect(limiter.setPeople(4)).toBeUndefined();
    expect(limiter.setPeople(6)).toEqual(limits(500_000, 2));
    expect(limiter.setPeople(12)).toEqual(limits(300_000, 2));
    expect(limiter.setPeople(2)).toEqual(limits(1_500_000, 1));
    expect(limiter.limits).toEqual(limits(1_500_000, 1));
  });

  it('keeps the room-size limits when the browser reports no estimate (Firefox)', () => {
    const limiter = new SendLimiter({ people: 5 });
    expect(feed(limiter, times(20, undefined))).toEqual(times(20, undefined));
    expect(limiter.limits).toEqual(limits(500_000, 2));
  });

  it('never goes above the room ceiling, however high the estimate', () => {
    const limiter = new SendLimiter({ people: 5 });
    expect(feed(limiter, times(10, 50_000_000))).toEqual(times(10, undefined));
    expect(limiter.limits).toEqual(limits(500_000, 2));
  });
});

describe('SendLimiter: measured bandwidth', () => {
  it('ignores the first estimates of a connection (the estimator starts low and probes up)', () => {
    const limiter = new SendLimiter();
    expect(feed(limiter, times(warmupSamples, 100_000))).toEqual(times(warmupSamples, undefined));
    expect(limiter.limits).toEqual(limits(1_500_000, 1));
  });

  it('caps the camera at 85% of the estimate after two low samples, not after one', () => {
    const limiter = warmed();
    expect(feed(limiter, [1_000_000])).toEqual([undefined]);
    // 85% of 1 Mbps; the milder of the two samples.
    expect(feed(limiter, [900_000])).toEqual([limits(850_000, 1)]);
    expect(limiter.limits).toEqual(limits(850_000, 1));
  });

  it('lets a single dip pass', () => {
    const limiter = warmed();
    expect(feed(limiter, [300_000, 5_000_000, 300_000, 5_000_000, 300_000])).toEqual(
      times(5, undefined),
    );
    expect(limiter.limits).toEqual(limits(1_500_000, 1));
  });

  it('steps the resolution down with the bitrate: half under 600 kbps, quarter under 250', () => {
    const half = warmed();
    expect(feed(half, [500_000, 500_000])).toEqual([undefined, limits(425_000, 2)]);
    const quarter = warmed();
    expect(feed(quarter, [250_000, 250_000])).toEqual([undefined, limits(212_500, 4)]);
  });

  it('never caps below the 150 kbps floor', () => {
    const limiter = warmed();
    expect(feed(limiter, [20_000, 0])).toEqual([undefined, limits(150_000, 4)]);
    expect(feed(limiter, times(10, 1_000))).toEqual(times(10, undefined));
    expect(limiter.limits.maxBitrate).toBe(SEND_LIMITS.floorBps);
  });

  it('recovers the bitrate after 2 good samples and the resolution only after 4', () => {
    const limiter = warmed();
    feed(limiter, [250_000, 250_000]);
    expect(limiter.limits).toEqual(limits(212_500, 4));
    const answers = feed(limiter, times(resolutionUpSamples, 3_000_000));
    expect(answers).toEqual([
      undefined,
      limits(1_500_000, 4), // measurement no longer constrains: the room ceiling again
      undefined,
      limits(1_500_000, 1),
    ]);
  });

  it('raises the cap to the most cautious estimate of the good run', () => {
    const limiter = warmed();
    feed(limiter, [500_000, 500_000]);
    expect(feed(limiter, [800_000, 700_000])).toEqual([undefined, limits(595_000, 2)]);
  });

  it('restarts a run when a sample points the other way', () => {
    const limiter = warmed();
    feed(limiter, [500_000, 500_000]);
    expect(limiter.limits).toEqual(limits(425_000, 2));
    // 200k (quarter), 900k (full), 200k: never two quarters in a row.
    expect(feed(limiter, [235_000, 1_060_000, 235_000, 1_060_000, 235_000])).toEqual(
      times(5, undefined),
    );
  });

  it('needs the step threshold plus margin, unbroken, to step back up', () => {
    const limiter = warmed();
    feed(limiter, [500_000, 500_000]);
    expect(limiter.limits).toEqual(limits(425_000, 2));
    // 85% of 800k = 680k: enough to stay at full resolution, not enough (720k) to return to it.
    const answers = feed(limiter, times(12, 800_000));
    expect(answers.filter(Boolean)).toEqual([limits(680_000, 2)]);
    // 85% of 860k = 731k (over 720k, within 10% of the cap): three in a row broken by a dip,
    // then four.
    expect(feed(limiter, [860_000, 860_000, 860_000, 650_000])).toEqual(times(4, undefined));
    expect(feed(limiter, [860_000, 860_000, 860_000, 860_000])).toEqual([
      undefined,
      undefined,
      undefined,
      limits(680_000, 1),
    ]);
  });

  it('does not let a sample without an estimate break or extend a run', () => {
    const limiter = warmed();
    expect(feed(limiter, [400_000, undefined, undefined, 400_000])).toEqual([
      undefined,
      undefined,
      undefined,
      limits(340_000, 2),
    ]);
    expect(feed(limiter, [undefined, 400_000, undefined])).toEqual(times(3, undefined));
  });

  it('keeps the measured cap when the room changes, under the new ceiling', () => {
    const limiter = warmed(2);
    feed(limiter, [700_000, 700_000]);
    expect(limiter.limits).toEqual(limits(595_000, 2));
    expect(limiter.setPeople(3)).toBeUndefined(); // 800k ceiling, 595k measured
    expect(limiter.setPeople(9)).toEqual(limits(300_000, 2));
    expect(limiter.setPeople(2)).toEqual(limits(595_000, 2));
  });

  it('judges samples after a room change against the new ceiling only', () => {
    const limiter = warmed(2);
    expect(feed(limiter, [1_200_000])).toEqual([undefined]); // 1.02M: low for 1.5M
    expect(limiter.setPeople(3)).toEqual(limits(800_000, 1));
    // A new run: the 1.02M seen under the old ceiling does not count towards it.
    expect(feed(limiter, [600_000, 600_000])).toEqual([undefined, limits(510_000, 2)]);
  });

  it('starts over on restart(): room limits, a new warm-up', () => {
    const limiter = warmed();
    feed(limiter, [200_000, 200_000]);
    expect(limiter.restart()).toEqual(limits(1_500_000, 1));
    expect(feed(limiter, times(warmupSamples, 200_000))).toEqual(times(warmupSamples, undefined));
    expect(feed(limiter, [200_000, 200_000])).toEqual([undefined, limits(170_000, 4)]);
  });
});

describe('SendLimiter: no flapping', () => {
  const estimate = fc.option(fc.integer({ min: 0, max: 4_000_000 }), { nil: undefined });

  /** Runs a sequence and returns each sample's limits, starting with the initial ones. */
  function trace(people: number, estimates: (number | undefined)[]) {
    const limiter = new SendLimiter({ people });
    const out: VideoLimits[] = [limiter.limits];
    for (const e of estimates) {
      const before = limiter.limits;
      const answer = limiter.update({ availableOutgoingBitrate: e });
      const after = limiter.limits;
      // An answer exactly when something changed, and it is the new limits.
      const changed =
        after.maxBitrate !== before.maxBitrate ||
        after.scaleResolutionDownBy !== before.scaleResolutionDownBy;
      expect(answer).toEqual(changed ? after : undefined);
      out.push(after);
    }
    return out;
  }

  /** Indexes (into the estimates) of the samples where `pick` changed. */
  function changes(out: VideoLimits[], pick: (l: VideoLimits) => number): number[] {
    const at: number[] = [];
    for (let i = 1; i < out.length; i++) if (pick(out[i]!) !== pick(out[i - 1]!)) at.push(i - 1);
    return at;
  }

  /** The number of samples with an estimate in estimates[from+1 ..= to]. */
  const measuredBetween = (estimates: (number | undefined)[], from: number, to: number) =>
    estimates.slice(from + 1, to + 1).filter((e) => e !== undefined).length;

  it('stays within floor, room ceiling and the resolution steps, whatever the estimates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(estimate), (people, estimates) => {
        const room = cameraLimitsForRoom(people);
        for (const l of trace(people, estimates)) {
          expect(l.maxBitrate).toBeGreaterThanOrEqual(SEND_LIMITS.floorBps);
          expect(l.maxBitrate).toBeLessThanOrEqual(bitrateForRoomSize(people));
          expect([1, 2, 4]).toContain(l.scaleResolutionDownBy);
          expect(l.scaleResolutionDownBy).toBeGreaterThanOrEqual(room.scaleResolutionDownBy);
        }
      }),
    );
  });

  it('changes bitrate or resolution at most once per 2 measured samples, a finer resolution once per 4', () => {
    fc.assert(
      fc.property(fc.array(estimate, { maxLength: 80 }), (estimates) => {
        const out = trace(2, estimates);
        for (const pick of [
          (l: VideoLimits) => l.maxBitrate,
          (l: VideoLimits) => l.scaleResolutionDownBy,
        ]) {
          const at = changes(out, pick);
          for (let k = 1; k < at.length; k++) {
            expect(measuredBetween(estimates, at[k - 1]!, at[k]!)).toBeGreaterThanOrEqual(
              downSamples,
            );
          }
        }
        const scales = out.map((l) => l.scaleResolutionDownBy);
        const scaleChanges = changes(out, (l) => l.scaleResolutionDownBy);
        scaleChanges.forEach((i, k) => {
          if (scales[i + 1]! >= scales[i]!) return; // not a step up
          // Since the previous change, or since the end of the warm-up.
          const since = k > 0 ? scaleChanges[k - 1]! : -1;
          const needed = resolutionUpSamples + (k > 0 ? 0 : warmupSamples);
          expect(measuredBetween(estimates, since, i)).toBeGreaterThanOrEqual(needed);
        });
      }),
    );
  });

  it('settles under an estimate alternating between two values: at most one change of each', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000 }),
        fc.integer({ min: 0, max: 4_000_000 }),
        fc.integer({ min: 1, max: 12 }),
        (a, b, people) => {
          const estimates = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b));
          const out = trace(people, estimates);
          expect(changes(out, (l) => l.maxBitrate).length).toBeLessThanOrEqual(1);
          expect(changes(out, (l) => l.scaleResolutionDownBy).length).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('screenLimits', () => {
  it('follows the room size and never scales the screen down', () => {
    for (let n = 1; n <= 50; n++) {
      expect(screenLimits(n)).toEqual(limits(bitrateForRoomSize(n), 1));
    }
  });
});
