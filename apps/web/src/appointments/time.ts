// Instants shown in the viewer's time zone, and the viewer's wall-clock input turned back
// into an instant. Everything takes the zone explicitly so tests can pin one; the app
// passes the browser's own (`viewerZone()`).

/** The zone this browser runs in (IANA name, e.g. "Europe/Berlin"). */
export function viewerZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const toMs = (at: string | number | Date): number =>
  typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();

/** Date and time of an instant in `zone`, with the zone's abbreviation ("CET", "GMT+11"). */
export function formatDateTime(at: string | number | Date, locale: string, zone: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(toMs(at));
}

/** Only the time of day in `zone` ("14:30"), for the end of a slot shown next to its start. */
export function formatTime(at: string | number | Date, locale: string, zone: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
  }).format(toMs(at));
}

/** The zone's short name at that instant: "EST" in winter, "EDT" in summer. */
export function zoneAbbreviation(at: string | number | Date, locale: string, zone: string): string {
  const parts = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    timeZoneName: 'short',
  }).formatToParts(toMs(at));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` at an instant (seconds dropped). */
function wallAt(ms: number, zone: string): Wall {
  let f = wallFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    wallFormats.set(zone, f);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(f.formatToParts(ms).find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
  };
}

const wallAsUtc = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffsetMs(at: number, zone: string): number {
  const floored = Math.floor(at / 60_000) * 60_000;
  return wallAsUtc(wallAt(floored, zone)) - floored;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant as a `datetime-local` value ("2025-03-30T14:05") on the wall clock of `zone`. */
export function toLocalInput(at: string | number | Date, zone: string): string {
  const w = wallAt(toMs(at), zone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

export type LocalTimeResult =
  | { ok: true; iso: string; ms: number }
  /** `invalid`: not a date and time; `nonexistent`: skipped by a daylight-saving change. */
  | { ok: false; error: 'invalid' | 'nonexistent' };

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

/**
 * The instant a `datetime-local` value means on the wall clock of `zone`. A time the clocks
 * jump over (02:30 on a spring-forward night) does not exist: an error the form shows rather
 * than a silent guess. A time that happens twice (autumn) is the earlier one.
 */
export function fromLocalInput(value: string, zone: string): LocalTimeResult {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return { ok: false, error: 'invalid' };
  const wall: Wall = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
  };
  const asUtc = wallAsUtc(wall);
  // Date.UTC rolls 31 February over to March (and 25:00 to the next day): not a date.
  const back = new Date(asUtc);
  if (
    back.getUTCMonth() !== wall.month - 1 ||
    back.getUTCDate() !== wall.day ||
    back.getUTCHours() !== wall.hour ||
    back.getUTCMinutes() !== wall.minute
  ) {
    return { ok: false, error: 'invalid' };
  }
  // The instant lies within ±14 h of the wall time read as UTC; the offsets in force a day and
  // a half either side cover any change near it. Each offset whose instant shows this very wall
  // time is an answer.
  const DAY_AND_HALF = 36 * 3_600_000;
  const offsets = new Set(
    [asUtc - DAY_AND_HALF, asUtc, asUtc + DAY_AND_HALF].map((t) => zoneOffsetMs(t, zone)),
  );
  const answers = [...offsets]
    .map((offset) => asUtc - offset)
    .filter((t) => wallAsUtc(wallAt(t, zone)) === asUtc)
    .sort((a, b) => a - b);
  const first = answers[0];
  if (first === undefined) return { ok: false, error: 'nonexistent' };
  return { ok: true, iso: new Date(first).toISOString(), ms: first };
}

/** Unit labels of a countdown; the app passes translated ones. */
export interface CountdownUnits {
  d: string;
  h: string;
  min: string;
  s: string;
}

export const EN_UNITS: CountdownUnits = { d: 'd', h: 'h', min: 'min', s: 's' };

/**
 * A wait as its two largest units: "2 d 3 h", "3 h 05 min", "4 min 05 s", "9 s"; `precise`
 * goes down to the second from the largest unit ("2 d 3 h 14 min 05 s"), for a countdown
 * that visibly moves. Rounded up, so it never reads 0 while there is still time to wait.
 */
export function formatCountdown(
  ms: number,
  units: CountdownUnits = EN_UNITS,
  precise = false,
): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(total / 86_400), units.d],
    [Math.floor((total % 86_400) / 3_600), units.h],
    [Math.floor((total % 3_600) / 60), units.min],
    [total % 60, units.s],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  const from = first < 0 ? parts.length - 1 : first;
  const to = precise ? parts.length : from + 2;
  // Minutes and seconds after a larger unit are clock digits ("05"); days and hours are not.
  return parts
    .slice(from, to)
    .map(([n, unit], i) => `${i > 0 && from + i >= 2 ? pad(n) : n} ${unit}`)
    .join(' ');
}

/** A clock-style length ("4:05", "1:02:03") for time left in a call. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
