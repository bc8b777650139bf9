// An appointment as an iCalendar file (RFC 5545): one VEVENT, times in UTC so every
// calendar shows them in its viewer's own time zone. Pure: the caller supplies every value.

export type IcsEvent = {
  /** The appointment id; the UID is `<id>@parley`, stable across updates. */
  id: string;
  title: string;
  /** ISO-8601 instants. */
  startsAt: string;
  endsAt: string;
  /** When the file was made (DTSTAMP). */
  stamp: string;
  /** Free text shown by the calendar (already including the join link). */
  description: string;
  /** The join link; left out when the server knows no trusted origin for it. */
  url?: string;
  /** VEVENT STATUS: tentative until the provider confirms. */
  status: 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED';
  /** Bumped on every reschedule, so calendars replace the old copy. */
  sequence: number;
};

const CRLF = '\r\n';
/** RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_OCTETS = 75;

/** `20260101T090000Z`: the UTC "form #2" date-time of RFC 5545 §3.3.5. */
export function icsDateTime(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Escapes a TEXT value (§3.3.11): backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Folds one content line (§3.1) into lines of at most 75 octets, continuation lines
 * starting with a space. It splits between code points, never inside a UTF-8 sequence.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      // The leading space of a continuation counts toward its 75 octets.
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

/** The whole `.ics` text, CRLF line endings, ending with a line break. */
export function appointmentIcs(e: IcsEvent): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Parley//Appointments//EN',
    'CALSCALE:GREGORIAN',
    // PUBLISH: a copy for the person's calendar, not an invitation to answer.
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${e.id}@parley`,
    `DTSTAMP:${icsDateTime(e.stamp)}`,
    `DTSTART:${icsDateTime(e.startsAt)}`,
    `DTEND:${icsDateTime(e.endsAt)}`,
    `SEQUENCE:${e.sequence}`,
    `SUMMARY:${escapeText(e.title)}`,
    `DESCRIPTION:${escapeText(e.description)}`,
    // A URI value, not TEXT: no escaping (RFC 5545 §3.3.13).
    ...(e.url ? [`URL:${e.url}`] : []),
    `STATUS:${e.status}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
