import { describe, expect, it } from 'vitest';
import { appointmentIcs, escapeText, foldLine, icsDateTime } from './ics.js';
import type { IcsEvent } from './ics.js';

const event: IcsEvent = {
  id: '3f2b1c9e-0000-4000-8000-000000000001',
  title: 'Therapy',
  startsAt: '2026-03-29T00:30:00.000Z',
  endsAt: '2026-03-29T01:20:00.000Z',
  stamp: '2026-03-01T12:00:00.456Z',
  description: 'Join: https://parley.example/appointments/3f2b',
  url: 'https://parley.example/appointments/3f2b1c9e-0000-4000-8000-000000000001',
  status: 'CONFIRMED',
  sequence: 0,
};

/** The content lines after unfolding (RFC 5545 §3.1: CRLF followed by one space). */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '').split('\r\n');
const octets = (s: string) => Buffer.byteLength(s, 'utf8');

describe('the .ics generator', () => {
  it('writes UTC date-times as YYYYMMDDTHHMMSSZ, whatever the offset of the input', () => {
    expect(icsDateTime('2026-03-29T00:30:00.000Z')).toBe('20260329T003000Z');
    // The night Europe moves its clocks: the instant, not a wall time, is written.
    expect(icsDateTime('2026-03-29T03:30:00+02:00')).toBe('20260329T013000Z');
  });

  it('escapes backslashes, semicolons, commas and every kind of line break in TEXT', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
  });

  it('leaves lines of at most 75 octets alone and folds longer ones with a leading space', () => {
    const exact = 'X'.repeat(75);
    expect(foldLine(exact)).toBe(exact);
    const long = `DESCRIPTION:${'a'.repeat(200)}`;
    const folded = foldLine(long);
    const lines = folded.split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => octets(l) <= 75)).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith(' '))).toBe(true);
    expect(unfold(folded)).toEqual([long]);
  });

  it('never splits a multibyte character when folding, and counts octets, not characters', () => {
    // 3-octet CJK, 2-octet accents and 4-octet emoji (a surrogate pair in JavaScript).
    const text = `SUMMARY:${'日本語セッション'.repeat(6)}éé${'🙂'.repeat(20)}`;
    const folded = foldLine(text);
    const lines = folded.split('\r\n');
    expect(lines.every((l) => octets(l) <= 75)).toBe(true);
    // Each piece is valid UTF-8 on its own: decoding its bytes gives it back.
    for (const l of lines) expect(Buffer.from(l, 'utf8').toString('utf8')).toBe(l);
    expect(lines.join('').includes('\uFFFD')).toBe(false);
    expect(unfold(folded)).toEqual([text]);
    // 25 characters of 3 octets do not fit in one line although 25 < 75.
    expect(foldLine('日'.repeat(25)).split('\r\n').map(octets)).toEqual([75]);
    expect(foldLine('日'.repeat(26)).split('\r\n').map(octets)).toEqual([75, 4]);
  });

  it('builds one VEVENT with CRLF line endings and every required property', () => {
    const text = appointmentIcs(event);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(unfold(text)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Parley//Appointments//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'BEGIN:VEVENT',
      `UID:${event.id}@parley`,
      'DTSTAMP:20260301T120000Z',
      'DTSTART:20260329T003000Z',
      'DTEND:20260329T012000Z',
      'SEQUENCE:0',
      'SUMMARY:Therapy',
      'DESCRIPTION:Join: https://parley.example/appointments/3f2b',
      `URL:${event.url}`,
      'STATUS:CONFIRMED',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]);
  });

  it('escapes the title and the description, folds them, and says when it is cancelled', () => {
    const text = appointmentIcs({
      ...event,
      title: 'Follow-up; week 3, part 2 — ça va? \\o/',
      description: `Video appointment with Zoë.\nJoin: ${event.url}`,
      status: 'CANCELLED',
      sequence: 2,
    });
    const lines = text.split('\r\n');
    expect(lines.every((l) => octets(l) <= 75)).toBe(true);
    const props = unfold(text);
    expect(props).toContain('SUMMARY:Follow-up\\; week 3\\, part 2 — ça va? \\\\o/');
    expect(props).toContain(`DESCRIPTION:Video appointment with Zoë.\\nJoin: ${event.url}`);
    expect(props).toContain('STATUS:CANCELLED');
    expect(props).toContain('SEQUENCE:2');
  });
});
