import { describe, expect, it } from 'vitest';
import {
  EN_UNITS,
  formatClock,
  formatCountdown,
  formatDateTime,
  fromLocalInput,
  toLocalInput,
  zoneAbbreviation,
} from './time';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const LORD_HOWE = 'Australia/Lord_Howe';

describe('fromLocalInput: a wall-clock time in a zone to an instant', () => {
  it('uses the offset in force on that date, winter and summer', () => {
    expect(fromLocalInput('2025-01-15T09:00', NY)).toMatchObject({
      ok: true,
      iso: '2025-01-15T14:00:00.000Z',
    });
    expect(fromLocalInput('2025-07-15T09:00', NY)).toMatchObject({
      ok: true,
      iso: '2025-07-15T13:00:00.000Z',
    });
    expect(fromLocalInput('2025-07-15T09:00', BERLIN)).toMatchObject({
      ok: true,
      iso: '2025-07-15T07:00:00.000Z',
    });
  });

  it('a time the spring-forward change skips does not exist (New York, Berlin, Lord Howe)', () => {
    expect(fromLocalInput('2025-03-09T02:30', NY)).toEqual({ ok: false, error: 'nonexistent' });
    expect(fromLocalInput('2025-03-30T02:15', BERLIN)).toEqual({
      ok: false,
      error: 'nonexistent',
    });
    // Lord Howe moves by half an hour: 02:00 → 02:30 on 2025-10-05.
    expect(fromLocalInput('2025-10-05T02:10', LORD_HOWE)).toEqual({
      ok: false,
      error: 'nonexistent',
    });
  });

  it('the minutes either side of a spring-forward gap exist', () => {
    expect(fromLocalInput('2025-03-09T01:59', NY)).toMatchObject({
      iso: '2025-03-09T06:59:00.000Z',
    });
    expect(fromLocalInput('2025-03-09T03:00', NY)).toMatchObject({
      iso: '2025-03-09T07:00:00.000Z',
    });
    expect(fromLocalInput('2025-10-05T02:30', LORD_HOWE)).toMatchObject({
      iso: '2025-10-04T15:30:00.000Z',
    });
  });

  it('a time that happens twice in the autumn is the earlier instant', () => {
    // 01:30 EDT (UTC−4) comes before 01:30 EST (UTC−5).
    expect(fromLocalInput('2025-11-02T01:30', NY)).toMatchObject({
      iso: '2025-11-02T05:30:00.000Z',
    });
    // 02:30 CEST (UTC+2) before 02:30 CET (UTC+1).
    expect(fromLocalInput('2025-10-26T02:30', BERLIN)).toMatchObject({
      iso: '2025-10-26T00:30:00.000Z',
    });
    // Lord Howe falls back from 02:00 to 01:30 on 2025-04-06: 01:45 happens at +11 then +10:30.
    expect(fromLocalInput('2025-04-06T01:45', LORD_HOWE)).toMatchObject({
      iso: '2025-04-05T14:45:00.000Z',
    });
  });

  it('refuses what is not a date and time', () => {
    for (const bad of ['', '2025-02-30T10:00', '2025-01-01T25:00', '2025-01-01T10:60', 'soon']) {
      expect(fromLocalInput(bad, NY), bad).toEqual({ ok: false, error: 'invalid' });
    }
  });

  it('round-trips through toLocalInput in every test zone', () => {
    const instants = [
      '2025-03-09T07:00:00.000Z',
      '2025-11-02T06:30:00.000Z',
      '2025-10-04T15:30:00.000Z',
    ];
    for (const zone of [NY, BERLIN, LORD_HOWE]) {
      for (const iso of instants) {
        const local = toLocalInput(iso, zone);
        const back = fromLocalInput(local, zone);
        // Back to the same instant, or to the earlier twin of an ambiguous time.
        expect(back.ok, `${zone} ${iso}`).toBe(true);
        if (back.ok) expect(toLocalInput(back.iso, zone)).toBe(local);
      }
    }
  });
});

describe('formatting in the viewer’s zone', () => {
  it('shows the instant on the zone’s clock with its abbreviation', () => {
    const at = '2025-01-15T14:00:00.000Z';
    expect(formatDateTime(at, 'en-US', NY)).toMatch(/09:00\s?AM EST/);
    expect(formatDateTime('2025-07-15T13:00:00.000Z', 'en-US', NY)).toMatch(/09:00\s?AM EDT/);
    expect(formatDateTime(at, 'en-GB', BERLIN)).toMatch(/15:00 CET/);
  });

  it('names the zone as it is at that instant', () => {
    expect(zoneAbbreviation('2025-03-09T06:59:00Z', 'en-US', NY)).toBe('EST');
    expect(zoneAbbreviation('2025-03-09T07:00:00Z', 'en-US', NY)).toBe('EDT');
  });
});

describe('countdowns', () => {
  it('shows the two largest units, rounded up to the second', () => {
    const s = 1000;
    expect(formatCountdown(((2 * 24 + 3) * 3600 + 59) * s)).toBe('2 d 3 h');
    expect(formatCountdown((3 * 3600 + 5 * 60) * s)).toBe('3 h 05 min');
    expect(formatCountdown((4 * 60 + 5) * s)).toBe('4 min 05 s');
    expect(formatCountdown(4_001)).toBe('5 s');
    expect(formatCountdown(-10)).toBe('0 s');
  });

  it('precise: down to the second from the largest unit, so it moves every second', () => {
    const s = 1000;
    expect(formatCountdown(((2 * 24 + 3) * 3600 + 14 * 60 + 5) * s, EN_UNITS, true)).toBe(
      '2 d 3 h 14 min 05 s',
    );
    expect(formatCountdown((4 * 60 + 5) * s, EN_UNITS, true)).toBe('4 min 05 s');
  });

  it('takes translated units', () => {
    expect(formatCountdown(65_000, { d: 'д', h: 'ч', min: 'мин', s: 'с' })).toBe('1 мин 05 с');
  });

  it('a call clock has hours only when needed', () => {
    expect(formatClock(245_000)).toBe('4:05');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });
});
