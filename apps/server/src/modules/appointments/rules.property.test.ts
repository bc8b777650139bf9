import { CreateAppointmentBody } from '@parley/protocol';
import type { AppointmentStatus, JoinBlockReason, PaymentStatus } from '@parley/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canJoin, joinWindow, minutesUntil } from './rules.js';
import type { JoinQuestion, JoinWindowConfig, Requester } from './rules.js';

// The join rules against a plain reference predicate, over random times, statuses,
// payment states and roles; times are drawn around the edges of the window and around
// the daylight-saving changes of real time zones, written with those zones' offsets.

const MIN = 60_000;
const HOUR = 60 * MIN;

/** The rule as the issue states it, written the obvious way. */
function reference(q: JoinQuestion, cfg: JoinWindowConfig): boolean {
  const participant =
    q.requester === 'provider' ||
    q.requester === 'client' ||
    (q.requester === 'admin' && q.adminsMayJoin);
  const opens = q.startsAt - cfg.opensBeforeMs;
  const closes = Math.max(q.startsAt + cfg.closesAfterMs, q.startsAt + q.durationMinutes * MIN);
  return (
    participant &&
    (q.status === 'confirmed' || q.status === 'in_progress') &&
    (q.paymentStatus === 'paid' || q.paymentStatus === 'waived') &&
    opens <= q.now &&
    q.now <= closes
  );
}

/**
 * Every check the question fails, in the order JoinBlockReason documents (the spec of
 * which reason wins); the window computed here, not by the code under test.
 */
function failures(q: JoinQuestion, cfg: JoinWindowConfig): JoinBlockReason[] {
  const opens = q.startsAt - cfg.opensBeforeMs;
  const closes = Math.max(q.startsAt + cfg.closesAfterMs, q.startsAt + q.durationMinutes * MIN);
  const party =
    q.requester === 'provider' ||
    q.requester === 'client' ||
    (q.requester === 'admin' && q.adminsMayJoin);
  const checks: [JoinBlockReason, boolean][] = [
    ['NOT_A_PARTICIPANT', !party],
    ['CANCELLED', q.status === 'cancelled'],
    ['ENDED', q.status === 'completed' || q.status === 'no_show'],
    ['TOO_LATE', q.now > closes],
    ['NOT_CONFIRMED', q.status === 'scheduled'],
    ['NOT_PAID', !['paid', 'waived'].includes(q.paymentStatus)],
    ['TOO_EARLY', q.now < opens],
  ];
  return checks.filter(([, failed]) => failed).map(([reason]) => reason);
}

const requester = fc.constantFrom<Requester>('provider', 'client', 'admin', 'other');
const status = fc.constantFrom<AppointmentStatus>(
  'scheduled',
  'confirmed',
  'in_progress',
  'completed',
  'cancelled',
  'no_show',
);
const payment = fc.constantFrom<PaymentStatus>('pending', 'paid', 'refunded', 'waived');
const duration = fc.integer({ min: 5, max: 480 });
const config: fc.Arbitrary<JoinWindowConfig> = fc.record({
  opensBeforeMs: fc.integer({ min: 0, max: 24 * 60 }).map((m) => m * MIN),
  closesAfterMs: fc.integer({ min: 5, max: 24 * 60 }).map((m) => m * MIN),
});
// 2000 … 2100.
const instant = fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 });

/**
 * `now` near what matters: each edge of the window (exactly, one ms either side) or
 * anywhere from a day before to a day after.
 */
function nowFor(startsAt: number, durationMinutes: number, cfg: JoinWindowConfig) {
  const w = joinWindow(startsAt, durationMinutes, cfg);
  const edge = fc
    .tuple(fc.constantFrom(w.opensAt, w.closesAt, startsAt), fc.constantFrom(-1, 0, 1))
    .map(([t, d]) => t + d);
  const around = fc.integer({ min: -24 * HOUR, max: 30 * HOUR }).map((d) => startsAt + d);
  return fc.oneof(edge, around);
}

const question: fc.Arbitrary<[JoinQuestion, JoinWindowConfig]> = fc
  .record({
    requester,
    adminsMayJoin: fc.boolean(),
    status,
    paymentStatus: payment,
    startsAt: instant,
    durationMinutes: duration,
    cfg: config,
  })
  .chain(({ cfg, ...q }) =>
    nowFor(q.startsAt, q.durationMinutes, cfg).map((now): [JoinQuestion, JoinWindowConfig] => [
      { ...q, now },
      cfg,
    ]),
  );

describe('the join rules', () => {
  it('agree with the reference predicate on every question', () => {
    fc.assert(
      fc.property(question, ([q, cfg]) => {
        expect(canJoin(q, cfg).canJoin).toBe(reference(q, cfg));
      }),
      { numRuns: 5000 },
    );
  });

  it('give the first failing check as the reason, and none when joining is allowed', () => {
    fc.assert(
      fc.property(question, ([q, cfg]) => {
        const answer = canJoin(q, cfg);
        expect(answer.reason).toBe(failures(q, cfg)[0] ?? null);
      }),
      { numRuns: 5000 },
    );
  });

  it('include both edges of the window and nothing one millisecond beyond them', () => {
    fc.assert(
      fc.property(
        instant,
        duration,
        config,
        fc.constantFrom<Requester>('provider', 'client'),
        (startsAt, durationMinutes, cfg, who) => {
          const w = joinWindow(startsAt, durationMinutes, cfg);
          const ask = (now: number) =>
            canJoin(
              {
                requester: who,
                adminsMayJoin: false,
                status: 'confirmed',
                paymentStatus: 'paid',
                startsAt,
                durationMinutes,
                now,
              },
              cfg,
            ).reason;
          expect(ask(w.opensAt - 1)).toBe('TOO_EARLY');
          expect(ask(w.opensAt)).toBeNull();
          expect(ask(w.closesAt)).toBeNull();
          expect(ask(w.closesAt + 1)).toBe('TOO_LATE');
        },
      ),
    );
  });

  it('never close the window before the booked end', () => {
    fc.assert(
      fc.property(instant, duration, config, (startsAt, durationMinutes, cfg) => {
        const w = joinWindow(startsAt, durationMinutes, cfg);
        expect(w.closesAt).toBeGreaterThanOrEqual(startsAt + durationMinutes * MIN);
        expect(w.closesAt).toBeGreaterThanOrEqual(startsAt + cfg.closesAfterMs);
        expect(w.opensAt).toBe(startsAt - cfg.opensBeforeMs);
      }),
    );
  });

  it('count minutes until the start rounded up, zero at the start', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -48 * HOUR, max: 48 * HOUR }), (startsAt, d) => {
        const m = minutesUntil(startsAt, startsAt - d);
        // m is the smallest whole number of minutes with m minutes ≥ the time left.
        expect(m * MIN).toBeGreaterThanOrEqual(d);
        expect((m - 1) * MIN).toBeLessThan(d);
        expect(Object.is(m, -0)).toBe(false);
      }),
    );
    expect(minutesUntil(1_000_000, 1_000_000)).toBe(0);
  });
});

// ---- time zones and daylight-saving changes ----

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  // Half-hour daylight saving: a shift that is not a whole hour.
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Kolkata',
  'UTC',
] as const;

/** The zone's offset from UTC at an instant, in minutes (Berlin in summer: 120). */
function offsetMinutes(zone: string, at: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name ?? '');
  if (!m) return 0; // "GMT" alone: UTC
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3]));
}

/** The instants in `year` at which the zone's offset changes, to the millisecond. */
function transitions(zone: string, year: number): number[] {
  const out: number[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  for (let t = Date.UTC(year, 0, 1); t < end; t += HOUR) {
    if (offsetMinutes(zone, t) === offsetMinutes(zone, t + HOUR)) continue;
    // The change lies in (t, t + 1 h]: narrow it down to the first instant of the new offset.
    let lo = t;
    let hi = t + HOUR;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetMinutes(zone, mid) === offsetMinutes(zone, lo)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

/** The instant written as local time with that zone's offset: `2026-03-29T03:30:00.000+02:00`. */
function isoInZone(at: number, zone: string): string {
  const off = offsetMinutes(zone, at);
  const local = new Date(at + off * MIN).toISOString().slice(0, 23);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

const YEARS = [2026, 2027];
const CHANGES = ZONES.flatMap((zone) =>
  YEARS.flatMap((year) => transitions(zone, year).map((at) => ({ zone, at }))),
);

describe('the join rules across time zones and daylight-saving changes', () => {
  it('find the daylight-saving changes they are tested around', () => {
    // Two changes a year where the zone has daylight saving; none in Kolkata or UTC.
    for (const zone of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe']) {
      expect(CHANGES.filter((c) => c.zone === zone)).toHaveLength(4);
    }
    expect(CHANGES.filter((c) => c.zone === 'Asia/Kolkata')).toHaveLength(0);
  });

  const nearChange = fc
    .record({
      change: fc.constantFrom(...CHANGES),
      // A start from six hours before to six hours after the change, to the minute.
      startOffset: fc.integer({ min: -6 * 60, max: 6 * 60 }).map((m) => m * MIN),
      zone: fc.constantFrom(...ZONES),
      requester,
      adminsMayJoin: fc.boolean(),
      status,
      paymentStatus: payment,
      durationMinutes: duration,
      cfg: config,
    })
    .chain(({ change, startOffset, ...rest }) => {
      const startsAt = change.at + startOffset;
      return nowFor(startsAt, rest.durationMinutes, rest.cfg).map((now) => ({
        ...rest,
        startsAt,
        now,
        // Written by someone in the zone of the change, read by someone in another.
        writtenIn: change.zone,
      }));
    });

  it('answer the same for a start written in any zone as for the instant itself', () => {
    fc.assert(
      fc.property(nearChange, ({ cfg, writtenIn, zone, ...q }) => {
        // What a client sends: local time with its offset. The API accepts it as an instant.
        const body = CreateAppointmentBody.parse({
          clientId: '00000000-0000-4000-8000-000000000000',
          startsAt: isoInZone(q.startsAt, writtenIn),
          durationMinutes: q.durationMinutes,
          title: 'Session',
        });
        const parsed = Date.parse(body.startsAt);
        expect(parsed).toBe(q.startsAt);
        // Whoever reads it, in whatever zone, asks about the same instants.
        const now = Date.parse(isoInZone(q.now, zone));
        expect(now).toBe(q.now);
        const answer = canJoin({ ...q, startsAt: parsed, now }, cfg);
        expect(answer.canJoin).toBe(reference(q, cfg));
        expect(answer.reason).toBe(failures(q, cfg)[0] ?? null);
      }),
      { numRuns: 3000 },
    );
  });

  it('keep the window as long in real time across a change, whatever the wall clock says', () => {
    fc.assert(
      fc.property(nearChange, ({ cfg, writtenIn, ...q }) => {
        const w = joinWindow(q.startsAt, q.durationMinutes, cfg);
        const real = w.closesAt - w.opensAt;
        expect(real).toBe(cfg.opensBeforeMs + Math.max(cfg.closesAfterMs, q.durationMinutes * MIN));
        // On the wall clock of the zone, the window looks longer or shorter by the shift.
        const wall = (t: number) => t + offsetMinutes(writtenIn, t) * MIN;
        const shift = offsetMinutes(writtenIn, w.closesAt) - offsetMinutes(writtenIn, w.opensAt);
        expect(wall(w.closesAt) - wall(w.opensAt)).toBe(real + shift * MIN);
      }),
      { numRuns: 2000 },
    );
  });

  it('open 15 minutes of real time before a start just after New York springs forward', () => {
    // 2027-03-14: at 02:00 EST clocks jump to 03:00 EDT. A 03:05 EDT start opens at 01:50 EST.
    const startsAt = Date.parse('2027-03-14T03:05:00-04:00');
    const cfg = { opensBeforeMs: 15 * MIN, closesAfterMs: 120 * MIN };
    const w = joinWindow(startsAt, 50, cfg);
    expect(isoInZone(w.opensAt, 'America/New_York')).toBe('2027-03-14T01:50:00.000-05:00');
    const ask = (now: number) =>
      canJoin(
        {
          requester: 'client',
          adminsMayJoin: false,
          status: 'confirmed',
          paymentStatus: 'paid',
          startsAt,
          durationMinutes: 50,
          now,
        },
        cfg,
      ).reason;
    expect(ask(Date.parse('2027-03-14T01:49:59.999-05:00'))).toBe('TOO_EARLY');
    expect(ask(Date.parse('2027-03-14T01:50:00-05:00'))).toBeNull();
  });

  it('close two hours of real time after a start in the repeated hour of Berlin’s autumn change', () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice. The first one (CEST)
    // closes at 03:30 CET, wall-clock only one hour later.
    const startsAt = Date.parse('2026-10-25T02:30:00+02:00');
    const cfg = { opensBeforeMs: 15 * MIN, closesAfterMs: 120 * MIN };
    const w = joinWindow(startsAt, 50, cfg);
    expect(isoInZone(w.closesAt, 'Europe/Berlin')).toBe('2026-10-25T03:30:00.000+01:00');
  });
});
