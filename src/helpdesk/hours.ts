import type { Language } from '../common/index.js';
import { parseRange, WEEKDAYS, type HelpdeskConfig } from './config.js';
import { HOURS_PHRASES, joinList, type HoursPhrases } from './phrases.js';
import { addDays, localTime, zonedInstant, type LocalDay } from './zone.js';

interface Range {
  start: number;
  end: number;
}

export interface OpeningHours {
  /** False without `helpdesk.hours`: the helpdesk is then always open. */
  readonly scheduled: boolean;
  isOpen(now: Date): boolean;
  /** `now` while open; else when it next opens; undefined when no opening is planned. */
  nextOpening(now: Date): Date | undefined;
  /** The weekly hours as one or two spoken sentences, plus today's exception if there is one. */
  describe(language: Language, now: Date): string;
  /**
   * "Closed now; opens again on Monday at 8:00." `until`: the line is closed (an operator's
   * override) until then, so the reopening is searched from there.
   */
  closedNow(language: Language, now: Date, options?: { until?: Date }): string;
}

const sorted = (ranges: readonly string[] | undefined): Range[] =>
  (ranges ?? []).map((r) => parseRange(r)!).sort((a, b) => a.start - b.start);

const sameRanges = (a: Range[], b: Range[]) =>
  a.length === b.length && a.every((r, i) => r.start === b[i]!.start && r.end === b[i]!.end);

/** The helpdesk's opening hours from `helpdesk` (validated by helpdeskConfigSchema). */
export function createOpeningHours(config: HelpdeskConfig): OpeningHours {
  const hours = config.hours;
  if (!hours) return alwaysOpen();
  const zone = hours.timeZone;
  const weekly = WEEKDAYS.map((d) => sorted(hours.weekly[d]));
  const exceptions = new Map(
    hours.exceptions.map((e) => [e.date, e.closed ? [] : sorted(e.hours)]),
  );
  const lastException = [...exceptions.keys()].sort().at(-1);

  const rangesOn = (day: LocalDay): Range[] => exceptions.get(day.date) ?? weekly[day.weekday]!;

  const isOpen = (now: Date): boolean => {
    const here = localTime(now, zone);
    return rangesOn(here).some((r) => r.start <= here.minutes && here.minutes < r.end);
  };

  const nextOpening = (now: Date): Date | undefined => {
    if (isOpen(now)) return now;
    const here = localTime(now, zone);
    // A week finds the weekly schedule's next opening; exceptions may push it further out.
    const horizon = Math.max(8, lastException ? daysBetween(here.date, lastException) + 1 : 0);
    for (let i = 0; i <= horizon; i++) {
      const day = i === 0 ? here : addDays(here.date, i);
      for (const r of rangesOn(day)) {
        if (i === 0 && r.start <= here.minutes) continue;
        const at = zonedInstant(day.date, r.start, zone);
        if (at.getTime() > now.getTime()) return at;
      }
    }
    return undefined;
  };

  return {
    scheduled: true,
    isOpen,
    nextOpening,
    describe(language, now) {
      const p = HOURS_PHRASES[language];
      const today = localTime(now, zone);
      const todays = exceptions.get(today.date);
      const todayNote =
        todays === undefined || sameRanges(todays, weekly[today.weekday]!)
          ? ''
          : ` ${todays.length === 0 ? p.todayClosed : p.todayOpen(rangesText(p, todays))}`;
      return weeklySentence(p, weekly) + todayNote;
    },
    closedNow(language, now, options) {
      const p = HOURS_PHRASES[language];
      const from = options?.until && options.until > now ? options.until : now;
      const opensAt = nextOpening(from);
      if (!opensAt) return p.closedNoPlan;
      // Closed by an override with no end while the schedule says open: no reopening to promise.
      if (opensAt.getTime() <= now.getTime()) return p.closedNow;
      return `${p.closedNow} ${reopening(p, zone, now, opensAt)}`;
    },
  };
}

function alwaysOpen(): OpeningHours {
  return {
    scheduled: false,
    isOpen: () => true,
    nextOpening: (now) => now,
    describe: (language) => HOURS_PHRASES[language].alwaysOpen,
    closedNow(language, now, options) {
      const p = HOURS_PHRASES[language];
      const until = options?.until;
      if (!until || until <= now) return p.closedNow;
      return `${p.closedNow} ${reopening(p, DEFAULT_ZONE, now, until)}`;
    },
  };
}

/** Without `helpdesk.hours`, an override's end is spoken in the schema's default zone. */
const DEFAULT_ZONE = 'Europe/Brussels';

function reopening(p: HoursPhrases, zone: string, now: Date, opensAt: Date): string {
  const here = localTime(now, zone);
  const there = localTime(opensAt, zone);
  const days = daysBetween(here.date, there.date);
  const [, month, day] = there.date.split('-').map(Number) as [number, number, number];
  const when =
    days === 0
      ? p.today
      : days === 1
        ? p.tomorrow
        : days < 7
          ? p.onWeekday(there.weekday)
          : p.onDate(there.weekday, day, month - 1);
  return p.opensAgain(when, p.time(there.minutes));
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function rangesText(p: HoursPhrases, ranges: Range[]): string {
  return joinList(
    ranges.map((r) => p.range(p.time(r.start), p.time(r.end))),
    p.and,
  );
}

function weeklySentence(p: HoursPhrases, weekly: Range[][]): string {
  const allDay = weekly.every((d) => d.length === 1 && d[0]!.start === 0 && d[0]!.end === 1440);
  if (allDay) return p.alwaysOpen;
  if (weekly.every((d) => d.length === 0)) return p.neverOpen;
  if (weekly.every((d) => sameRanges(d, weekly[0]!)))
    return p.open(`${p.everyDay} ${rangesText(p, weekly[0]!)}`);
  const groups: string[] = [];
  for (let first = 0; first < 7;) {
    let last = first;
    while (last + 1 < 7 && sameRanges(weekly[last + 1]!, weekly[first]!)) last++;
    if (weekly[first]!.length > 0)
      groups.push(`${p.dayRun(first, last)} ${rangesText(p, weekly[first]!)}`);
    first = last + 1;
  }
  return p.open(joinList(groups, p.and));
}
