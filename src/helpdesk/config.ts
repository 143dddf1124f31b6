import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const RANGE_HINT = 'use HH:MM-HH:MM with the end after the start, e.g. 08:00-17:00';
const RANGE_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;

/** Minutes since local midnight of a range's start and end (end may be 24:00 = 1440). */
export function parseRange(range: string): { start: number; end: number } | undefined {
  const m = RANGE_PATTERN.exec(range);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (end > 24 * 60 || end <= start) return undefined;
  return { start, end };
}

/** One day's opening ranges: each well-formed, none overlapping (a night shift is two days' ranges). */
const dayRanges = z.array(z.string()).superRefine((ranges, ctx) => {
  const parsed: Array<{ start: number; end: number; index: number }> = [];
  ranges.forEach((range, index) => {
    const r = parseRange(range);
    if (!r) ctx.addIssue({ code: 'custom', path: [index], message: RANGE_HINT });
    else parsed.push({ ...r, index });
  });
  parsed.sort((a, b) => a.start - b.start);
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1]!;
    const cur = parsed[i]!;
    if (cur.start < prev.end)
      ctx.addIssue({
        code: 'custom',
        path: [cur.index],
        message: `overlaps range ${prev.index} of the same day; merge them into one range`,
      });
  }
});

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(date: string): boolean {
  const m = DATE_PATTERN.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === date;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const exceptionSchema = z
  .object({
    date: z.string().refine(isCalendarDate, 'use a calendar date as YYYY-MM-DD, e.g. 2025-12-25'),
    /** The helpdesk is closed all day (a public holiday). */
    closed: z.literal(true).optional(),
    /** Other hours than the weekly schedule's on that day. */
    hours: dayRanges.optional(),
  })
  .strict()
  .superRefine((exception, ctx) => {
    const hasHours = exception.hours !== undefined && exception.hours.length > 0;
    if (exception.closed === undefined && !hasHours)
      ctx.addIssue({
        code: 'custom',
        path: ['hours'],
        message: "give the day's hours (e.g. ['09:00-12:00']), or `closed: true` for a closed day",
      });
    if (exception.closed && exception.hours !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['closed'],
        message: 'use either `closed: true` or `hours`, not both',
      });
  });

export const openingHoursSchema = z
  .object({
    /** The zone the weekly hours and exception dates are read in (IANA name); DST follows it. */
    timeZone: z
      .string()
      .refine(isTimeZone, 'use an IANA time zone name, e.g. Europe/Brussels')
      .default('Europe/Brussels'),
    /** Opening ranges per weekday; a day left out is closed. `{}` = never open. */
    weekly: z
      .object(
        Object.fromEntries(WEEKDAYS.map((d) => [d, dayRanges.optional()])) as Record<
          Weekday,
          z.ZodOptional<typeof dayRanges>
        >,
      )
      .strict(),
    /** Dates that differ from the weekly schedule: public holidays, shortened days. */
    exceptions: z
      .array(exceptionSchema)
      .default([])
      .superRefine((exceptions, ctx) => {
        const seen = new Map<string, number>();
        exceptions.forEach((e, index) => {
          const first = seen.get(e.date);
          if (first !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [index, 'date'],
              message: `${e.date} is also exception ${first}; keep one entry per date`,
            });
          else seen.set(e.date, index);
        });
      }),
  })
  .strict();

/** The human helpdesk the agent hands callers to. */
export const helpdeskConfigSchema = z
  .object({
    /** When people staff the helpdesk. Absent: always open (hand-off is always attempted). */
    hours: openingHoursSchema.optional(),
  })
  .strict();

export type HelpdeskConfig = z.infer<typeof helpdeskConfigSchema>;
export type OpeningHoursConfig = z.infer<typeof openingHoursSchema>;
