import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/index.js';
import { createOpeningHours, type HelpdeskConfig } from './index.js';

const problems = (helpdesk: unknown): string[] => {
  try {
    parseConfig({ helpdesk });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

const helpdesk = (hours: unknown): HelpdeskConfig => parseConfig({ helpdesk: { hours } }).helpdesk;

const OFFICE = {
  weekly: {
    mon: ['08:00-17:00'],
    tue: ['08:00-17:00'],
    wed: ['08:00-17:00'],
    thu: ['08:00-17:00'],
    fri: ['08:00-17:00'],
    sat: ['09:00-12:00'],
  },
};

const at = (iso: string) => new Date(iso);

describe('helpdesk.hours config', () => {
  it('is absent by default, and then the helpdesk is always open', () => {
    const config = parseConfig({});
    expect(config.helpdesk).toEqual({});
    const hours = createOpeningHours(config.helpdesk);
    expect(hours.isOpen(at('2025-01-05T03:00:00Z'))).toBe(true);
    expect(hours.nextOpening(at('2025-01-05T03:00:00Z'))).toEqual(at('2025-01-05T03:00:00Z'));
    expect(hours.describe('en', at('2025-01-05T03:00:00Z'))).toBe(
      'The helpdesk is open around the clock.',
    );
  });

  it('defaults the zone to Europe/Brussels and exceptions to none', () => {
    expect(helpdesk({ weekly: { mon: ['08:00-17:00'] } }).hours).toEqual({
      timeZone: 'Europe/Brussels',
      weekly: { mon: ['08:00-17:00'] },
      exceptions: [],
    });
  });

  it('names the field and the fix for every bad value', () => {
    const found = problems({
      hours: {
        timeZone: 'Europe/Brussel',
        weekly: {
          mon: ['17:00-08:00'],
          tue: ['8:00-17:00'],
          wed: ['08:00-12:00', '11:00-17:00'],
          monday: ['08:00-17:00'],
        },
        exceptions: [
          { date: '2025-02-30', closed: true },
          { date: '2025-12-25' },
          { date: '2025-12-26', closed: true },
          { date: '2025-12-26', hours: ['09:00-12:00'] },
          { date: '2025-12-27', closed: true, hours: ['09:00-12:00'] },
        ],
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'helpdesk.hours.timeZone: use an IANA time zone name, e.g. Europe/Brussels',
        'helpdesk.hours.weekly.mon.0: use HH:MM-HH:MM with the end after the start, e.g. 08:00-17:00',
        'helpdesk.hours.weekly.tue.0: use HH:MM-HH:MM with the end after the start, e.g. 08:00-17:00',
        'helpdesk.hours.weekly.wed.1: overlaps range 0 of the same day; merge them into one range',
        'helpdesk.hours.weekly.monday: unknown key; remove it or check its spelling',
        'helpdesk.hours.exceptions.0.date: use a calendar date as YYYY-MM-DD, e.g. 2025-12-25',
        "helpdesk.hours.exceptions.1.hours: give the day's hours (e.g. ['09:00-12:00']), or `closed: true` for a closed day",
        'helpdesk.hours.exceptions.3.date: 2025-12-26 is also exception 2; keep one entry per date',
        'helpdesk.hours.exceptions.4.closed: use either `closed: true` or `hours`, not both',
      ]),
    );
    expect(found).toHaveLength(9);
  });

  it('refuses a range across midnight: a night shift is two days’ ranges', () => {
    expect(problems({ hours: { weekly: { fri: ['22:00-06:00'] } } })).toEqual([
      'helpdesk.hours.weekly.fri.0: use HH:MM-HH:MM with the end after the start, e.g. 08:00-17:00',
    ]);
    expect(problems({ hours: { weekly: { fri: ['22:00-24:00'], sat: ['00:00-06:00'] } } })).toEqual(
      [],
    );
  });
});

describe('createOpeningHours', () => {
  const office = createOpeningHours(helpdesk({ ...OFFICE, timeZone: 'Europe/Brussels' }));

  it('is open from the start up to but not including the end, in the local zone', () => {
    // Monday 6 January 2025, Brussels = UTC+1.
    expect(office.isOpen(at('2025-01-06T06:59:59Z'))).toBe(false);
    expect(office.isOpen(at('2025-01-06T07:00:00Z'))).toBe(true);
    expect(office.isOpen(at('2025-01-06T15:59:59Z'))).toBe(true);
    expect(office.isOpen(at('2025-01-06T16:00:00Z'))).toBe(false);
    // Sunday: no hours.
    expect(office.isOpen(at('2025-01-05T10:00:00Z'))).toBe(false);
  });

  it('reads the same wall-clock hours across the spring DST change', () => {
    // Sunday 30 March 2025 02:00 CET -> 03:00 CEST. Monday 8:00 is then 06:00Z, not 07:00Z.
    expect(office.nextOpening(at('2025-03-29T12:00:00Z'))).toEqual(at('2025-03-31T06:00:00Z'));
    expect(office.isOpen(at('2025-03-31T06:30:00Z'))).toBe(true);
    expect(office.isOpen(at('2025-03-24T06:30:00Z'))).toBe(false);
    expect(office.isOpen(at('2025-03-31T15:30:00Z'))).toBe(false);
    expect(office.closedNow('en', at('2025-03-29T12:00:00Z'))).toBe(
      'The helpdesk is closed now. It opens again on Monday at 8:00.',
    );
  });

  it('opens on the DST day itself at the new offset, and at the old one after the autumn change', () => {
    const sundays = createOpeningHours(helpdesk({ weekly: { sun: ['10:00-12:00'] } }));
    expect(sundays.nextOpening(at('2025-03-29T20:00:00Z'))).toEqual(at('2025-03-30T08:00:00Z'));
    expect(sundays.nextOpening(at('2025-10-25T20:00:00Z'))).toEqual(at('2025-10-26T09:00:00Z'));
  });

  it('a holiday exception closes a weekday; another date gets other hours', () => {
    const hours = createOpeningHours(
      helpdesk({
        ...OFFICE,
        exceptions: [
          { date: '2025-12-24', hours: ['08:00-12:00'] },
          { date: '2025-12-25', closed: true },
        ],
      }),
    );
    const christmasEveAfternoon = at('2025-12-24T12:30:00Z'); // 13:30 local, a Wednesday
    expect(hours.isOpen(at('2025-12-24T10:00:00Z'))).toBe(true);
    expect(hours.isOpen(christmasEveAfternoon)).toBe(false);
    expect(hours.isOpen(at('2025-12-25T09:00:00Z'))).toBe(false);
    expect(hours.nextOpening(christmasEveAfternoon)).toEqual(at('2025-12-26T07:00:00Z'));
    expect(hours.closedNow('en', christmasEveAfternoon)).toBe(
      'The helpdesk is closed now. It opens again on Friday at 8:00.',
    );
    expect(hours.describe('en', christmasEveAfternoon)).toBe(
      'The helpdesk is open Monday to Friday from 8:00 to 17:00 and Saturday from 9:00 to 12:00. Today it is open from 8:00 to 12:00.',
    );
    expect(hours.describe('nl', at('2025-12-25T09:00:00Z'))).toBe(
      'De helpdesk is open maandag tot en met vrijdag van 8 uur tot 17 uur en zaterdag van 9 uur tot 12 uur. Vandaag is hij gesloten.',
    );
  });

  it('an overnight-free schedule stays open across midnight with ranges ending 24:00 and starting 00:00', () => {
    const nights = createOpeningHours(
      helpdesk({ weekly: { mon: ['20:00-24:00'], tue: ['00:00-06:00'] } }),
    );
    expect(nights.isOpen(at('2025-01-06T22:59:00Z'))).toBe(true); // Mon 23:59
    expect(nights.isOpen(at('2025-01-06T23:00:00Z'))).toBe(true); // Tue 00:00
    expect(nights.isOpen(at('2025-01-07T05:00:00Z'))).toBe(false); // Tue 06:00
    expect(nights.nextOpening(at('2025-01-07T05:00:00Z'))).toEqual(at('2025-01-13T19:00:00Z'));
    expect(nights.describe('en', at('2025-01-07T05:00:00Z'))).toBe(
      'The helpdesk is open Monday from 20:00 to midnight and Tuesday from midnight to 6:00.',
    );
  });

  it('an empty schedule is always closed, never opens, and says so', () => {
    const never = createOpeningHours(helpdesk({ weekly: {} }));
    const now = at('2025-01-06T10:00:00Z');
    expect(never.isOpen(now)).toBe(false);
    expect(never.nextOpening(now)).toBeUndefined();
    expect(never.describe('en', now)).toBe('The helpdesk has no opening hours at the moment.');
    expect(never.closedNow('en', now)).toBe(
      'The helpdesk is closed now, and no opening hours are planned.',
    );
    expect(never.closedNow('de', now)).toBe(
      'Der Helpdesk ist jetzt geschlossen, und es sind keine Öffnungszeiten geplant.',
    );
  });

  it('an empty week still opens on an exception date, however far ahead', () => {
    const once = createOpeningHours(
      helpdesk({ weekly: {}, exceptions: [{ date: '2026-06-01', hours: ['09:30-11:00'] }] }),
    );
    expect(once.nextOpening(at('2025-01-06T10:00:00Z'))).toEqual(at('2026-06-01T07:30:00Z'));
    expect(once.closedNow('fr', at('2026-05-20T10:00:00Z'))).toBe(
      'Le helpdesk est fermé pour le moment. Il rouvre le lundi 1er juin à 9 h 30.',
    );
  });

  it('describes the week in each language, as a TTS voice should say it', () => {
    const now = at('2025-01-08T10:00:00Z');
    expect(office.describe('en', now)).toBe(
      'The helpdesk is open Monday to Friday from 8:00 to 17:00 and Saturday from 9:00 to 12:00.',
    );
    expect(office.describe('nl', now)).toBe(
      'De helpdesk is open maandag tot en met vrijdag van 8 uur tot 17 uur en zaterdag van 9 uur tot 12 uur.',
    );
    expect(office.describe('fr', now)).toBe(
      'Le helpdesk est ouvert du lundi au vendredi de 8 h à 17 h et le samedi de 9 h à 12 h.',
    );
    expect(office.describe('de', now)).toBe(
      'Der Helpdesk ist Montag bis Freitag von 8 Uhr bis 17 Uhr und Samstag von 9 Uhr bis 12 Uhr geöffnet.',
    );
    const daily = createOpeningHours(
      helpdesk({
        weekly: Object.fromEntries(
          ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [
            d,
            ['08:00-12:30', '13:30-17:00'],
          ]),
        ),
      }),
    );
    expect(daily.describe('en', now)).toBe(
      'The helpdesk is open every day from 8:00 to 12:30 and from 13:30 to 17:00.',
    );
    expect(daily.describe('de', now)).toBe(
      'Der Helpdesk ist täglich von 8 Uhr bis 12:30 Uhr und von 13:30 Uhr bis 17 Uhr geöffnet.',
    );
  });

  it('says when it opens again: today, tomorrow, a weekday or a date, in each language', () => {
    const earlyMonday = at('2025-01-06T05:00:00Z'); // 06:00 local
    const mondayEvening = at('2025-01-06T18:00:00Z');
    const saturdayAfternoon = at('2025-01-11T14:00:00Z');
    expect(office.closedNow('en', earlyMonday)).toBe(
      'The helpdesk is closed now. It opens again today at 8:00.',
    );
    expect(office.closedNow('nl', mondayEvening)).toBe(
      'De helpdesk is nu gesloten. Hij gaat weer open morgen om 8 uur.',
    );
    expect(office.closedNow('fr', saturdayAfternoon)).toBe(
      'Le helpdesk est fermé pour le moment. Il rouvre lundi à 8 h.',
    );
    expect(office.closedNow('de', saturdayAfternoon)).toBe(
      'Der Helpdesk ist jetzt geschlossen. Er öffnet wieder am Montag um 8 Uhr.',
    );
    const closedTwoWeeks = createOpeningHours(
      helpdesk({
        ...OFFICE,
        exceptions: ['2025-01-13', '2025-01-14', '2025-01-15', '2025-01-16', '2025-01-17'].map(
          (date) => ({ date, closed: true }),
        ),
      }),
    );
    expect(closedTwoWeeks.closedNow('de', at('2025-01-12T18:00:00Z'))).toBe(
      'Der Helpdesk ist jetzt geschlossen. Er öffnet wieder am Samstag um 9 Uhr.',
    );
    expect(closedTwoWeeks.closedNow('nl', saturdayAfternoon)).toBe(
      'De helpdesk is nu gesloten. Hij gaat weer open op zaterdag 18 januari om 9 uur.',
    );
    expect(closedTwoWeeks.closedNow('de', saturdayAfternoon)).toBe(
      'Der Helpdesk ist jetzt geschlossen. Er öffnet wieder am Samstag, den 18. Januar, um 9 Uhr.',
    );
  });

  it('closed by an override: reopens when the override ends if the schedule is open then', () => {
    const duringHours = at('2025-01-06T09:00:00Z'); // Monday 10:00 local
    expect(office.closedNow('en', duringHours)).toBe('The helpdesk is closed now.');
    expect(office.closedNow('en', duringHours, { until: at('2025-01-06T12:30:00Z') })).toBe(
      'The helpdesk is closed now. It opens again today at 13:30.',
    );
    expect(office.closedNow('en', duringHours, { until: at('2025-01-06T17:00:00Z') })).toBe(
      'The helpdesk is closed now. It opens again tomorrow at 8:00.',
    );
    const always = createOpeningHours({});
    expect(always.closedNow('fr', duringHours, { until: at('2025-01-06T12:30:00Z') })).toBe(
      "Le helpdesk est fermé pour le moment. Il rouvre aujourd'hui à 13 h 30.",
    );
  });
});
