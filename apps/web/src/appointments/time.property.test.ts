import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromLocalInput, toLocalInput } from './time';

// Properties of the booking form's wall-clock conversion (`datetime-local` value in a zone ↔
// instant) over 2026–2028, in zones with whole-hour, half-hour (Lord Howe: a 30-minute
// change) and midnight (Santiago) daylight-saving changes, and zones without any.

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Kolkata',
  'UTC',
] as const;
const MIN = 60_000;
const HOUR = 60 * MIN;
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2029, 0, 1);

/** The zone's UTC offset at an instant, read from Intl's "GMT+05:30" (not from time.ts). */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
function offsetAt(at: number, zone: string): number {
  let f = offsetFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, f);
  }
  const name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset ${name}`);
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * MIN);
}

interface Change {
  /** The first instant (whole minute) on the new offset. */
  at: number;
  before: number;
  after: number;
}

/** Every offset change of the zone in [FROM, TO), found to the minute. */
function changesOf(zone: string): Change[] {
  const found: Change[] = [];
  const STEP = 6 * HOUR;
  for (let t = FROM; t < TO; t += STEP) {
    const before = offsetAt(t, zone);
    const after = offsetAt(t + STEP, zone);
    if (before === after) continue;
    let lo = t;
    let hi = t + STEP;
    while (hi - lo > MIN) {
      const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
      if (offsetAt(mid, zone) === before) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, before, after });
  }
  return found;
}

const CHANGES = new Map<string, Change[]>(ZONES.map((z) => [z, changesOf(z)]));
const springForwards = ZONES.flatMap((zone) =>
  (CHANGES.get(zone) ?? []).filter((c) => c.after > c.before).map((c) => ({ zone, ...c })),
);

/** A wall time (ms read as UTC) as a `datetime-local` value. */
const wallValue = (wallMs: number) => new Date(wallMs).toISOString().slice(0, 16);

/** Whole-minute instants: anywhere in the range, or within 3 h of one of the zone's changes. */
const instantIn = (zone: string) => {
  const anywhere = fc.integer({ min: FROM / MIN, max: TO / MIN - 1 }).map((m) => m * MIN);
  const changes = CHANGES.get(zone) ?? [];
  if (changes.length === 0) return anywhere;
  const nearChange = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -180, max: 180 }))
    .map(([c, m]) => c.at + m * MIN);
  return fc.oneof(anywhere, nearChange);
};
const zoned = fc
  .constantFrom(...ZONES)
  .chain((zone) => instantIn(zone).map((at) => ({ zone, at })));

describe('fromLocalInput ∘ toLocalInput (fast-check, 2026–2028)', () => {
  it('the test zones change their clocks as expected (the generators reach the changes)', () => {
    expect(CHANGES.get('UTC')).toEqual([]);
    expect(CHANGES.get('Asia/Kolkata')).toEqual([]);
    for (const zone of ['America/New_York', 'Europe/Berlin', 'America/Santiago'] as const) {
      expect(CHANGES.get(zone)).toHaveLength(6);
    }
    const lordHowe = CHANGES.get('Australia/Lord_Howe') ?? [];
    expect(lordHowe.map((c) => Math.abs(c.after - c.before))).toEqual(lordHowe.map(() => 30 * MIN));
  });

  it('gives back the same instant, except in the repeated hour of a fall-back, where it gives the earlier of the two instants showing that wall time', () => {
    fc.assert(
      fc.property(zoned, ({ zone, at }) => {
        const local = toLocalInput(at, zone);
        const back = fromLocalInput(local, zone);
        expect(back.ok).toBe(true);
        if (!back.ok) return;
        // A wall time repeats when the clock was set back by Δ at a change c and `at` lies in
        // [c.at, c.at + Δ): the same wall time was shown Δ earlier, on the old offset.
        const repeatedFrom = (CHANGES.get(zone) ?? []).find(
          (c) => c.after < c.before && at >= c.at && at < c.at + (c.before - c.after),
        );
        const expected = repeatedFrom ? at - (repeatedFrom.before - repeatedFrom.after) : at;
        expect(back.ms).toBe(expected);
        expect(toLocalInput(back.ms, zone)).toBe(local);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses every wall time inside a spring-forward gap as nonexistent, and accepts its edges', () => {
    expect(springForwards.length).toBeGreaterThan(0);
    const inGap = fc
      .constantFrom(...springForwards)
      .chain((c) =>
        fc
          .integer({ min: 0, max: (c.after - c.before) / MIN - 1 })
          .map((m) => ({ ...c, wall: c.at + c.before + m * MIN })),
      );
    fc.assert(
      fc.property(inGap, ({ zone, wall, at, before, after }) => {
        expect(fromLocalInput(wallValue(wall), zone)).toEqual({ ok: false, error: 'nonexistent' });
        // The minute before the gap is the last on the old offset; the gap's end is the change.
        const gapStart = at + before;
        const gapEnd = at + after;
        expect(fromLocalInput(wallValue(gapStart - MIN), zone)).toMatchObject({
          ok: true,
          ms: at - MIN,
        });
        expect(fromLocalInput(wallValue(gapEnd), zone)).toMatchObject({ ok: true, ms: at });
      }),
      { numRuns: 500 },
    );
  });
});
