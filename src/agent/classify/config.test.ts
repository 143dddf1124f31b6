import { describe, expect, it } from 'vitest';
import { classifierConfigSchema } from './config.js';

const messages = (input: unknown) => {
  const result = classifierConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('classifier config', () => {
  it('runs with no config: phrases for all four languages, 0 hands off, no emergency key', () => {
    const config = classifierConfigSchema.parse({});
    for (const intent of ['handoff', 'emergency', 'goodbye'] as const) {
      for (const language of ['nl', 'fr', 'en', 'de'] as const) {
        expect(config.phrases[intent][language].length).toBeGreaterThan(0);
      }
    }
    expect(config.dtmf).toEqual({ handoff: ['0'], emergency: [] });
  });

  it('refuses unknown keys', () => {
    expect(messages({ phrases: { handof: {} } })[0]).toMatch(/^phrases: .*handof/);
  });

  it('refuses a key that is both hand-off and emergency, and a multi-key entry', () => {
    expect(messages({ dtmf: { emergency: ['0'] } })).toEqual([
      expect.stringMatching(/^dtmf\.emergency: key "0" is both/),
    ]);
    expect(messages({ dtmf: { handoff: ['00'] } })).toEqual([
      expect.stringMatching(/^dtmf\.handoff\.0: use a single DTMF key/),
    ]);
  });

  it('refuses phrases that could never match, saying why', () => {
    expect(messages({ phrases: { goodbye: { en: ['!!!'] } } })).toEqual([
      expect.stringMatching(/^phrases\.goodbye\.en\.0: a phrase needs at least one letter/),
    ]);
    expect(messages({ phrases: { handoff: { fr: ['euh alors'] } } })).toEqual([
      expect.stringMatching(/^phrases\.handoff\.fr\.0: "euh alors" consists only of filler words/),
    ]);
    expect(messages({ phrases: { goodbye: { nl: ['tot^ziens'] } } })).toEqual([
      expect.stringMatching(/^phrases\.goodbye\.nl\.0: use "\^" only as the first/),
    ]);
  });
});
