/**
 * Wall-clock arithmetic in an IANA time zone with Intl only (Node ships full ICU), so opening
 * hours follow the zone's daylight-saving changes without a time-zone library.
 */

/** A calendar date in the zone, as `YYYY-MM-DD`, plus its weekday (0 = Monday). */
export interface LocalDay {
  date: string;
  weekday: number;
}

export interface LocalTime extends LocalDay {
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(at: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at))
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** Where `at` falls on the zone's wall clock. */
export function localTime(at: Date, timeZone: string): LocalTime {
  const p = parts(at, timeZone);
  const date = `${pad(p.year!, 4)}-${pad(p.month!)}-${pad(p.day!)}`;
  return { date, weekday: weekdayOf(date), minutes: p.hour! * 60 + p.minute! };
}

/** The calendar day `days` after `date`. */
export function addDays(date: string, days: number): LocalDay {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  return { date: next, weekday: weekdayOf(next) };
}

/** The zone's offset from UTC at `at`, in milliseconds. */
function offsetAt(at: number, timeZone: string): number {
  const p = parts(new Date(at), timeZone);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The instant the zone's wall clock shows `minutes` past midnight on `date`. A wall time the
 * spring-forward skips maps to the instant an hour later; one the fall-back repeats, to one of its two instants.
 */
export function zonedInstant(date: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  // The candidate that really shows this wall time; in a spring-forward gap neither does.
  const candidates = [Math.min(first, second), Math.max(first, second)];
  for (const c of candidates) if (c + offsetAt(c, timeZone) === wall) return new Date(c);
  return new Date(Math.max(first, second));
}
