import type { Language } from '../common/index.js';

/**
 * The sentences the agent speaks about the helpdesk's hours, written for a TTS voice: times as
 * people say them ("8 uur", "8 h 30", "8:30 Uhr"), lists joined with "and", no symbols.
 */
export interface HoursPhrases {
  /** Monday first. */
  days: readonly string[];
  months: readonly string[];
  /** Minutes since midnight; 0 and 1440 are midnight. */
  time(minutes: number): string;
  range(from: string, to: string): string;
  /** A run of days with the same hours: one day, two days, or first to last. */
  dayRun(first: number, last: number): string;
  everyDay: string;
  and: string;
  open(schedule: string): string;
  alwaysOpen: string;
  neverOpen: string;
  todayClosed: string;
  todayOpen(ranges: string): string;
  closedNow: string;
  closedNoPlan: string;
  today: string;
  tomorrow: string;
  /** Within the coming week. */
  onWeekday(weekday: number): string;
  /** Further ahead: weekday and date. */
  onDate(weekday: number, day: number, month: number): string;
  opensAgain(when: string, time: string): string;
}

const hm = (minutes: number) => ({ h: Math.floor(minutes / 60), m: minutes % 60 });
const mm = (m: number) => String(m).padStart(2, '0');
const isMidnight = (minutes: number) => minutes === 0 || minutes === 1440;

const en: HoursPhrases = {
  days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  months: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  time: (t) => (isMidnight(t) ? 'midnight' : `${hm(t).h}:${mm(hm(t).m)}`),
  range: (from, to) => `from ${from} to ${to}`,
  dayRun: (a, b) =>
    a === b
      ? en.days[a]!
      : b === a + 1
        ? `${en.days[a]} and ${en.days[b]}`
        : `${en.days[a]} to ${en.days[b]}`,
  everyDay: 'every day',
  and: 'and',
  open: (s) => `The helpdesk is open ${s}.`,
  alwaysOpen: 'The helpdesk is open around the clock.',
  neverOpen: 'The helpdesk has no opening hours at the moment.',
  todayClosed: 'Today it is closed.',
  todayOpen: (r) => `Today it is open ${r}.`,
  closedNow: 'The helpdesk is closed now.',
  closedNoPlan: 'The helpdesk is closed now, and no opening hours are planned.',
  today: 'today',
  tomorrow: 'tomorrow',
  onWeekday: (w) => `on ${en.days[w]}`,
  onDate: (w, d, m) => `on ${en.days[w]} ${d} ${en.months[m]}`,
  opensAgain: (when, time) => `It opens again ${when} at ${time}.`,
};

const nl: HoursPhrases = {
  days: ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'],
  months: [
    'januari',
    'februari',
    'maart',
    'april',
    'mei',
    'juni',
    'juli',
    'augustus',
    'september',
    'oktober',
    'november',
    'december',
  ],
  time: (t) =>
    isMidnight(t)
      ? 'middernacht'
      : hm(t).m === 0
        ? `${hm(t).h} uur`
        : `${hm(t).h}.${mm(hm(t).m)} uur`,
  range: (from, to) => `van ${from} tot ${to}`,
  dayRun: (a, b) =>
    a === b
      ? nl.days[a]!
      : b === a + 1
        ? `${nl.days[a]} en ${nl.days[b]}`
        : `${nl.days[a]} tot en met ${nl.days[b]}`,
  everyDay: 'elke dag',
  and: 'en',
  open: (s) => `De helpdesk is open ${s}.`,
  alwaysOpen: 'De helpdesk is dag en nacht open.',
  neverOpen: 'De helpdesk heeft op dit moment geen openingsuren.',
  todayClosed: 'Vandaag is hij gesloten.',
  todayOpen: (r) => `Vandaag is hij open ${r}.`,
  closedNow: 'De helpdesk is nu gesloten.',
  closedNoPlan: 'De helpdesk is nu gesloten, en er zijn geen openingsuren gepland.',
  today: 'vandaag',
  tomorrow: 'morgen',
  onWeekday: (w) => `op ${nl.days[w]}`,
  onDate: (w, d, m) => `op ${nl.days[w]} ${d} ${nl.months[m]}`,
  opensAgain: (when, time) => `Hij gaat weer open ${when} om ${time}.`,
};

const fr: HoursPhrases = {
  days: ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'],
  months: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  time: (t) =>
    isMidnight(t) ? 'minuit' : hm(t).m === 0 ? `${hm(t).h} h` : `${hm(t).h} h ${mm(hm(t).m)}`,
  range: (from, to) => `de ${from} à ${to}`,
  dayRun: (a, b) =>
    a === b
      ? `le ${fr.days[a]}`
      : b === a + 1
        ? `le ${fr.days[a]} et le ${fr.days[b]}`
        : `du ${fr.days[a]} au ${fr.days[b]}`,
  everyDay: 'tous les jours',
  and: 'et',
  open: (s) => `Le helpdesk est ouvert ${s}.`,
  alwaysOpen: 'Le helpdesk est ouvert jour et nuit.',
  neverOpen: "Le helpdesk n'a pas d'heures d'ouverture pour le moment.",
  todayClosed: "Aujourd'hui, il est fermé.",
  todayOpen: (r) => `Aujourd'hui, il est ouvert ${r}.`,
  closedNow: 'Le helpdesk est fermé pour le moment.',
  closedNoPlan: "Le helpdesk est fermé pour le moment, et aucune heure d'ouverture n'est prévue.",
  today: "aujourd'hui",
  tomorrow: 'demain',
  onWeekday: (w) => fr.days[w]!,
  onDate: (w, d, m) => `le ${fr.days[w]} ${d === 1 ? '1er' : d} ${fr.months[m]}`,
  opensAgain: (when, time) => `Il rouvre ${when} à ${time}.`,
};

const de: HoursPhrases = {
  days: ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'],
  months: [
    'Januar',
    'Februar',
    'März',
    'April',
    'Mai',
    'Juni',
    'Juli',
    'August',
    'September',
    'Oktober',
    'November',
    'Dezember',
  ],
  time: (t) =>
    isMidnight(t)
      ? 'Mitternacht'
      : hm(t).m === 0
        ? `${hm(t).h} Uhr`
        : `${hm(t).h}:${mm(hm(t).m)} Uhr`,
  range: (from, to) => `von ${from} bis ${to}`,
  dayRun: (a, b) =>
    a === b
      ? de.days[a]!
      : b === a + 1
        ? `${de.days[a]} und ${de.days[b]}`
        : `${de.days[a]} bis ${de.days[b]}`,
  everyDay: 'täglich',
  and: 'und',
  open: (s) => `Der Helpdesk ist ${s} geöffnet.`,
  alwaysOpen: 'Der Helpdesk ist rund um die Uhr geöffnet.',
  neverOpen: 'Der Helpdesk hat zurzeit keine Öffnungszeiten.',
  todayClosed: 'Heute ist er geschlossen.',
  todayOpen: (r) => `Heute ist er ${r} geöffnet.`,
  closedNow: 'Der Helpdesk ist jetzt geschlossen.',
  closedNoPlan: 'Der Helpdesk ist jetzt geschlossen, und es sind keine Öffnungszeiten geplant.',
  today: 'heute',
  tomorrow: 'morgen',
  onWeekday: (w) => `am ${de.days[w]}`,
  onDate: (w, d, m) => `am ${de.days[w]}, den ${d}. ${de.months[m]},`,
  opensAgain: (when, time) => `Er öffnet wieder ${when} um ${time}.`,
};

export const HOURS_PHRASES: Record<Language, HoursPhrases> = { nl, fr, en, de };

/** "a", "a and b", "a, b and c". */
export function joinList(items: string[], and: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}
