import { z } from 'zod';

const text = z.string().trim().min(1, 'write the sentence the agent says');

const answerSchema = z.object({ nl: text, fr: text, en: text, de: text }).strict();

const keywordList = z.array(z.string().trim().min(1));

const faqEntrySchema = z
  .object({
    /** Names the entry in logs and metrics (never the caller's words). */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'use lowercase letters, digits and dashes'),
    /**
     * English words that exist in the CMU dictionary: the offline recogniser only knows English
     * and only words its dictionary has, so these are what it can hear. Matched as whole words.
     */
    keywords: keywordList.min(1, 'give at least one English keyword, e.g. "parking"'),
    /** Extra keywords per language for cloud STT transcripts; not part of the offline grammar. */
    localKeywords: z
      .object({
        nl: keywordList.default([]),
        fr: keywordList.default([]),
        en: keywordList.default([]),
        de: keywordList.default([]),
      })
      .strict()
      .default({}),
    /** What the agent says, in each language of the line. */
    answer: answerSchema,
  })
  .strict();

export type FaqEntry = z.infer<typeof faqEntrySchema>;

/** A hospital helpdesk's frequent questions; an example to replace with the site's own. */
export const DEFAULT_FAQ: FaqEntry[] = [
  {
    id: 'visiting-hours',
    keywords: ['visiting hours', 'visiting', 'visitors', 'visit'],
    localKeywords: {
      nl: ['bezoekuren', 'bezoekuur', 'bezoek', 'op bezoek'],
      fr: ['heures de visite', 'visite', 'visites', 'rendre visite'],
      en: ['visiting time'],
      de: ['besuchszeiten', 'besuchszeit', 'besuch', 'besuchen'],
    },
    answer: {
      nl: 'Bezoek is welkom elke dag van 14 tot 20 uur. Op intensieve zorg gelden kortere bezoekuren.',
      fr: 'Les visites sont autorisées tous les jours de 14 à 20 heures. Aux soins intensifs, les heures de visite sont plus courtes.',
      en: 'Visiting hours are every day from 2 to 8 pm. Intensive care has shorter visiting hours.',
      de: 'Besuche sind täglich von 14 bis 20 Uhr möglich. Auf der Intensivstation gelten kürzere Besuchszeiten.',
    },
  },
  {
    id: 'parking',
    keywords: ['parking', 'car park', 'park'],
    localKeywords: {
      nl: ['parking', 'parkeren', 'parkeerplaats', 'parkeergarage'],
      fr: ['parking', 'stationner', 'garer', 'stationnement'],
      en: ['parking lot', 'garage'],
      de: ['parkplatz', 'parken', 'parkhaus', 'tiefgarage'],
    },
    answer: {
      nl: 'De parking bevindt zich aan de hoofdingang. Het eerste halfuur is gratis; betalen kan aan de automaten in de inkomhal.',
      fr: "Le parking se trouve à l'entrée principale. La première demi-heure est gratuite; le paiement se fait aux automates dans le hall d'entrée.",
      en: 'The car park is at the main entrance. The first half hour is free; you pay at the machines in the entrance hall.',
      de: 'Das Parkhaus befindet sich am Haupteingang. Die erste halbe Stunde ist kostenlos; bezahlt wird an den Automaten in der Eingangshalle.',
    },
  },
  // The helpdesk's own hours come from `helpdesk.hours` (the classifier's hours question).
  {
    id: 'opening-hours',
    keywords: ['opening hours', 'opening', 'open', 'closed'],
    localKeywords: {
      nl: ['openingsuren', 'openingstijden', 'open', 'gesloten'],
      fr: ["heures d'ouverture", 'horaires', 'ouvert', 'ferme'],
      en: ['office hours'],
      de: ['öffnungszeiten', 'geöffnet', 'offen', 'geschlossen'],
    },
    answer: {
      nl: 'De inschrijvingsbalie is open op weekdagen van 8 tot 18 uur. De spoedgevallendienst is altijd open.',
      fr: "L'accueil est ouvert en semaine de 8 à 18 heures. Le service des urgences est toujours ouvert.",
      en: 'The registration desk is open on weekdays from 8 am to 6 pm. The emergency department is always open.',
      de: 'Die Anmeldung ist werktags von 8 bis 18 Uhr geöffnet. Die Notaufnahme ist immer geöffnet.',
    },
  },
  {
    id: 'appointment',
    keywords: ['appointment', 'appointments', 'reschedule', 'cancel'],
    localKeywords: {
      nl: ['afspraak', 'afspraken', 'consultatie', 'annuleren', 'verplaatsen'],
      fr: ['rendez vous', 'rdv', 'consultation', 'annuler', 'deplacer'],
      en: ['booking', 'book'],
      de: ['termin', 'termine', 'absagen', 'verschieben'],
    },
    answer: {
      nl: 'Een afspraak maken, verplaatsen of annuleren kan via de website of bij de helpdesk. Wilt u de helpdesk, zeg dan "medewerker" of druk op 0.',
      fr: 'Pour prendre, déplacer ou annuler un rendez-vous, passez par le site web ou par le helpdesk. Pour le helpdesk, dites "opérateur" ou appuyez sur 0.',
      en: 'You can make, move or cancel an appointment on the website or with the helpdesk. For the helpdesk, say "operator" or press 0.',
      de: 'Termine vereinbaren, verschieben oder absagen können Sie auf der Website oder beim Helpdesk. Für den Helpdesk sagen Sie "Mitarbeiter" oder drücken Sie die 0.',
    },
  },
];

const DEFAULT_FALLBACK = {
  nl: 'Sorry, daar kan ik u niet mee helpen. Zeg "medewerker" of druk op 0, dan verbind ik u door met de helpdesk.',
  fr: 'Désolé, je ne peux pas vous aider pour cela. Dites "opérateur" ou appuyez sur 0 et je vous passe le helpdesk.',
  en: 'Sorry, I cannot help you with that. Say "operator" or press 0 and I will put you through to the helpdesk.',
  de: 'Entschuldigung, dabei kann ich Ihnen nicht helfen. Sagen Sie "Mitarbeiter" oder drücken Sie die 0, dann verbinde ich Sie mit dem Helpdesk.',
};

export const rulesBrainConfigSchema = z
  .object({
    /** Frequent questions; the first entry with the longest matching keyword answers. */
    faq: z.array(faqEntrySchema).default(DEFAULT_FAQ),
    /** Said when no entry matches; it should offer the helpdesk. */
    fallback: z
      .object({
        nl: text.default(DEFAULT_FALLBACK.nl),
        fr: text.default(DEFAULT_FALLBACK.fr),
        en: text.default(DEFAULT_FALLBACK.en),
        de: text.default(DEFAULT_FALLBACK.de),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.faq.forEach((entry, index) => {
      if (seen.has(entry.id)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['faq', index, 'id'],
          message: `FAQ id "${entry.id}" is used twice; give each entry its own id`,
        });
      }
      seen.add(entry.id);
    });
  });

export type RulesBrainConfig = z.infer<typeof rulesBrainConfigSchema>;
