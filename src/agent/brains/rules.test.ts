import { describe, expect, it } from 'vitest';
import { classifierConfigSchema } from '../classify/index.js';
import { createRulesBrain, grammarPhrases } from './rules.js';
import { rulesBrainConfigSchema } from './rules-config.js';

const config = rulesBrainConfigSchema.parse({});
const brain = createRulesBrain(config);

describe('rules brain', () => {
  it.each([
    ['What are the visiting hours?', 'en', 'visiting-hours', /2 to 8 pm/],
    ['Wat zijn de bezoekuren?', 'nl', 'visiting-hours', /14 tot 20 uur/],
    ['Quelles sont les heures de visite ?', 'fr', 'visiting-hours', /14 à 20 heures/],
    ['Wann sind die Besuchszeiten?', 'de', 'visiting-hours', /14 bis 20 Uhr/],
    ['Where can I park my car?', 'en', 'parking', /car park/],
    ['Waar kan ik, euh, parkeren?', 'nl', 'parking', /parking/],
    ['Is the car park open at night?', 'en', 'parking', /car park/],
    ['When is the helpdesk open?', 'en', 'opening-hours', /weekdays/],
    ["Quelles sont vos heures d'ouverture ?", 'fr', 'opening-hours', /en semaine/],
    ['Ich möchte einen Termin verschieben', 'de', 'appointment', /Termine/],
    ['I would like to reschedule my appointment', 'en', 'appointment', /appointment/],
    ['Je voudrais prendre un rendez-vous', 'fr', 'appointment', /rendez-vous/],
  ] as const)('%s (%s) → %s', (text, language, id, pattern) => {
    const reply = brain.answer(text, language);
    expect(reply).toMatchObject({ kind: 'faq', id, language });
    expect(reply.text).toMatch(pattern);
  });

  it('answers in the language asked for, even when the keyword is in another', () => {
    const reply = brain.answer('parking', 'de');
    expect(reply).toMatchObject({ kind: 'faq', id: 'parking', language: 'de' });
    expect(reply.text).toContain('Parkhaus');
  });

  it('falls back with an offer of the helpdesk when nothing matches', () => {
    for (const language of ['nl', 'fr', 'en', 'de'] as const) {
      const reply = brain.answer('What is the weather like today?', language);
      expect(reply.kind).toBe('fallback');
      expect(reply.text).toMatch(/helpdesk/i);
      expect(reply.text).toContain('0');
    }
    // Whole words only: "parkside" is not "park", "reopening" is not "opening".
    expect(brain.answer('I live in Parkside near the reopening shop', 'en').kind).toBe('fallback');
  });

  it('uses the configured entries and fallback', () => {
    const custom = rulesBrainConfigSchema.parse({
      faq: [
        {
          id: 'cafeteria',
          keywords: ['cafeteria'],
          answer: {
            nl: 'Gelijkvloers.',
            fr: 'Rez-de-chaussée.',
            en: 'Ground floor.',
            de: 'Erdgeschoss.',
          },
        },
      ],
      fallback: { en: 'Ask the desk.' },
    });
    const customBrain = createRulesBrain(custom);
    expect(customBrain.answer('Where is the cafeteria', 'en').text).toBe('Ground floor.');
    expect(customBrain.answer('Where can I park', 'en')).toEqual({
      kind: 'fallback',
      text: 'Ask the desk.',
      language: 'en',
    });
  });

  it('refuses duplicate ids and entries without keywords, saying how to fix them', () => {
    const entry = {
      id: 'x',
      keywords: ['x'],
      answer: { nl: 'a', fr: 'a', en: 'a', de: 'a' },
    };
    const result = rulesBrainConfigSchema.safeParse({
      faq: [entry, entry, { ...entry, id: 'y', keywords: [] }],
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^faq\.1\.id: FAQ id "x" is used twice/),
        expect.stringMatching(/^faq\.2\.keywords: give at least one English keyword/),
      ]),
    );
  });
});

describe('grammarPhrases', () => {
  it('lists the English hand-off and emergency phrases and the FAQ keywords, without anchors or duplicates', () => {
    const classifier = classifierConfigSchema.parse({
      phrases: {
        goodbye: { en: ['^That is all$', 'see you'] },
        handoff: { en: ['^operator$', 'bye', 'bye'] },
      },
    });
    const phrases = grammarPhrases(classifier, config);
    // Goodbye phrases are left out: a misheard goodbye would hang up on the caller.
    expect(phrases).not.toContain('that is all');
    expect(phrases).not.toContain('see you');
    expect(phrases).toContain("can't breathe");
    expect(phrases).toContain('operator');
    expect(phrases).toContain('visiting hours');
    expect(phrases).toContain('car park');
    expect(phrases.filter((p) => p === 'bye')).toHaveLength(1);
    // Other languages' phrases cannot be heard by the English model.
    expect(phrases).not.toContain('tot ziens');
    expect(phrases).not.toContain('bezoekuren');
  });
});
