import { z } from 'zod';
import {
  DEFAULT_EMERGENCY,
  DEFAULT_FILLERS,
  DEFAULT_GOODBYE,
  DEFAULT_HANDOFF,
  DEFAULT_HOURS,
  DEFAULT_IGNORE,
  DEFAULT_MESSAGE,
  DEFAULT_NO,
  DEFAULT_YES,
} from './default-phrases.js';
import { LANGUAGES, type PerLanguage } from './language.js';
import { compilePhrase, tokenize } from './normalize.js';

const phrase = z
  .string()
  .trim()
  .min(1)
  .refine((text) => !/.[\^]|[$]./.test(text), {
    message: 'use "^" only as the first character and "$" only as the last (they anchor a phrase)',
  })
  .refine((text) => tokenize(text.replace(/^\^|\$$/g, '')).length > 0, {
    message: 'a phrase needs at least one letter or digit; remove it or write the words',
  });

const perLanguagePhrases = (defaults: PerLanguage<string[]>) =>
  z
    .object({
      nl: z.array(phrase).default(defaults.nl),
      fr: z.array(phrase).default(defaults.fr),
      en: z.array(phrase).default(defaults.en),
      de: z.array(phrase).default(defaults.de),
    })
    .strict()
    .default({});

const dtmfDigit = z.string().regex(/^[0-9*#]$/, 'use a single DTMF key: 0-9, * or #');

export const classifierConfigSchema = z
  .object({
    /**
     * What the caller says to be handed to a human, to report an emergency, to end the call, to
     * ask the helpdesk's opening hours or to leave a message; `yes` and `no` answer the callback
     * consent question. Overriding one language keeps the defaults of the others.
     */
    phrases: z
      .object({
        handoff: perLanguagePhrases(DEFAULT_HANDOFF),
        emergency: perLanguagePhrases(DEFAULT_EMERGENCY),
        goodbye: perLanguagePhrases(DEFAULT_GOODBYE),
        hours: perLanguagePhrases(DEFAULT_HOURS),
        message: perLanguagePhrases(DEFAULT_MESSAGE),
        yes: perLanguagePhrases(DEFAULT_YES),
        no: perLanguagePhrases(DEFAULT_NO),
      })
      .strict()
      .default({}),
    /** Cut out of a turn before matching: negations ("not an emergency") and place names. */
    ignore: perLanguagePhrases(DEFAULT_IGNORE),
    /** Hesitation words, dropped from turns and phrases alike. */
    fillers: perLanguagePhrases(DEFAULT_FILLERS),
    dtmf: z
      .object({
        /** Keys that ask for the helpdesk. */
        handoff: z.array(dtmfDigit).default(['0']),
        /** Keys that report an emergency; none by default, since a mistyped key would trigger it. */
        emergency: z.array(dtmfDigit).default([]),
      })
      .strict()
      .default({})
      .superRefine((dtmf, ctx) => {
        for (const key of dtmf.emergency.filter((k) => dtmf.handoff.includes(k))) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['emergency'],
            message: `key "${key}" is both a hand-off and an emergency key; remove it from one list`,
          });
        }
      }),
  })
  .strict()
  .superRefine((config, ctx) => {
    // A phrase made only of filler words would be empty after normalisation and never match.
    for (const intent of PHRASE_LISTS) {
      for (const language of LANGUAGES) {
        const fillers = config.fillers[language].map(tokenize);
        config.phrases[intent][language].forEach((text, index) => {
          const hasWords = tokenize(text.replace(/^\^|\$$/g, '')).length > 0;
          if (hasWords && compilePhrase(text, fillers).words.length === 0) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: ['phrases', intent, language, index],
              message: `"${text}" consists only of filler words of ${language}; add a real word or remove the filler from fillers.${language}`,
            });
          }
        });
      }
    }
  });

export type ClassifierConfig = z.infer<typeof classifierConfigSchema>;

const PHRASE_LISTS = [
  'handoff',
  'emergency',
  'goodbye',
  'hours',
  'message',
  'yes',
  'no',
] as const satisfies ReadonlyArray<keyof ClassifierConfig['phrases']>;
