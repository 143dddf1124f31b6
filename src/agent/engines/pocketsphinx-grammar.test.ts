import { describe, expect, it } from 'vitest';
import { pocketsphinxConfigSchema } from './pocketsphinx-config.js';
import {
  buildGrammar,
  dictionaryForm,
  grammarWords,
  readPronunciations,
} from './pocketsphinx-grammar.js';

const config = pocketsphinxConfigSchema.parse({});

const dict = new Map<string, string[]>(
  Object.entries({
    "can't": ["can't K AE N T"],
    breathe: ['breathe B R IY DH'],
    operator: ['operator AA P ER EY T ER'],
    parking: ['parking P AA R K IH NG'],
    please: ['please P L IY Z'],
    yes: ['yes Y EH S'],
    help: ['help HH EH L P'],
    desk: ['desk D EH S K'],
  }),
);

describe('dictionaryForm', () => {
  it('keeps apostrophes inside words and folds the rest', () => {
    expect(dictionaryForm('I Can’t  breathe!')).toEqual(['i', "can't", 'breathe']);
    expect(dictionaryForm("'quoted' Café")).toEqual(['quoted', 'cafe']);
  });
});

describe('buildGrammar', () => {
  it('drops phrases with unknown words and names the words', () => {
    const built = buildGrammar(
      {
        phrases: ["can't breathe", 'helpdesk', 'help desk', 'operator', 'Operator'],
        lead: ['please'],
        tail: ['please'],
        decoy: ['yes', 'operator', 'no way'],
      },
      dict,
    );
    expect(built.phrases).toEqual(["can't breathe", 'help desk', 'operator']);
    expect(built.missingWords).toEqual(['helpdesk', 'no', 'way']);
    expect(built.droppedPhrases).toEqual(['helpdesk', 'no way']);
    expect(built.jsgf).toBe(
      [
        '#JSGF V1.0;',
        'grammar switchboard;',
        'public <utterance> = [<lead>] <phrase> [<tail>] | <decoy>;',
        "<phrase> = can't breathe | help desk | operator;",
        '<lead> = please;',
        '<tail> = please;',
        '<decoy> = yes;',
        '',
      ].join('\n'),
    );
    // Only the words in use, so pocketsphinx loads a tiny dictionary.
    expect(built.dictionary.trim().split('\n')).toEqual([
      'breathe B R IY DH',
      "can't K AE N T",
      'desk D EH S K',
      'help HH EH L P',
      'operator AA P ER EY T ER',
      'please P L IY Z',
      'yes Y EH S',
    ]);
  });

  it('omits empty carrier rules and refuses a grammar with no phrase left', () => {
    const built = buildGrammar({ phrases: ['parking'], lead: [], tail: [], decoy: [] }, dict);
    expect(built.jsgf).toContain('public <utterance> = <phrase>;');
    expect(built.jsgf).not.toContain('<lead>');
    expect(() =>
      buildGrammar({ phrases: ['hartaanval'], lead: [], tail: [], decoy: [] }, dict),
    ).toThrow(/no phrase left/);
  });
});

describe('readPronunciations', () => {
  it('reads the needed words and their alternates from the CMU dictionary', async () => {
    const found = await readPronunciations(config.dictionary, new Set(['emergency', 'hartaanval']));
    expect(found.get('emergency')).toEqual([
      'emergency IH M ER JH AH N S IY',
      'emergency(2) IY M ER JH AH N S IY',
    ]);
    expect(found.has('hartaanval')).toBe(false);
  });

  it('finds every word of the default carrier phrases', async () => {
    const words = grammarWords({
      phrases: [],
      lead: config.leadPhrases,
      tail: config.tailPhrases,
      decoy: config.decoyPhrases,
    });
    const found = await readPronunciations(config.dictionary, words);
    expect([...words].filter((w) => !found.has(w))).toEqual([]);
  });
});
