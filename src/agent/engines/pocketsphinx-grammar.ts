import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * A phrase in the form the CMU dictionary spells words: lower case, no accents, apostrophes kept
 * ("can't" is a dictionary word; "can t" would be two, one of them missing).
 */
export function dictionaryForm(phrase: string): string[] {
  return phrase
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’`]/g, "'")
    .replace(/[^a-z0-9']+/g, ' ')
    .split(' ')
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w !== '');
}

/**
 * Reads the pronunciations of `words` from a CMU-format dictionary ("word PH ON ES", alternates
 * as "word(2) ..."). Only the needed lines are kept: the full dictionary has 134,000 entries and
 * pocketsphinx loads a 150-line one about three times faster.
 */
export async function readPronunciations(
  path: string,
  words: ReadonlySet<string>,
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const head = line.slice(0, line.indexOf(' '));
    const word = head.replace(/\(\d+\)$/, '');
    if (!words.has(word)) continue;
    const list = found.get(word) ?? [];
    list.push(line.trim());
    found.set(word, list);
  }
  return found;
}

export interface GrammarInput {
  /** What the recogniser listens for: classifier phrases, FAQ keywords, extra phrases. */
  phrases: readonly string[];
  lead: readonly string[];
  tail: readonly string[];
  decoy: readonly string[];
}

export interface BuiltGrammar {
  jsgf: string;
  /** The dictionary lines for every word the grammar uses. */
  dictionary: string;
  /** Keyword phrases kept, in dictionary form. */
  phrases: string[];
  /** Dictionary words the configured phrases used but the dictionary lacks, sorted. */
  missingWords: string[];
  /** Phrases dropped because of a missing word, as configured. */
  droppedPhrases: string[];
}

/** Every word a grammar input needs, for {@link readPronunciations}. */
export function grammarWords(input: GrammarInput): Set<string> {
  const all = [...input.phrases, ...input.lead, ...input.tail, ...input.decoy];
  return new Set(all.flatMap(dictionaryForm));
}

/**
 * Builds the JSGF grammar
 *
 *   public <utterance> = [<lead>] <phrase> [<tail>] | <decoy>;
 *
 * A phrase with a word the dictionary lacks is dropped whole: pocketsphinx refuses the whole
 * grammar over one unknown word ("The word 'x' is missing in the dictionary") yet exits 0 and
 * prints nothing, so an unchecked grammar fails silently on every turn.
 */
export function buildGrammar(
  input: GrammarInput,
  pronunciations: ReadonlyMap<string, readonly string[]>,
): BuiltGrammar {
  const missing = new Set<string>();
  const dropped: string[] = [];
  const keep = (list: readonly string[], report: boolean): string[] => {
    const out = new Set<string>();
    for (const phrase of list) {
      const words = dictionaryForm(phrase);
      const absent = words.filter((w) => !pronunciations.has(w));
      if (words.length === 0) continue;
      if (absent.length > 0) {
        if (report) {
          absent.forEach((w) => missing.add(w));
          dropped.push(phrase);
        }
        continue;
      }
      out.add(words.join(' '));
    }
    return [...out];
  };

  const phrases = keep(input.phrases, true);
  if (phrases.length === 0) {
    throw new Error(
      'the offline grammar has no phrase left: give English phrases whose words are in the pocketsphinx dictionary',
    );
  }
  const lead = keep(input.lead, true);
  const tail = keep(input.tail, true);
  const decoy = keep(input.decoy, true).filter((d) => !phrases.includes(d));

  const alternatives = `${lead.length ? '[<lead>] ' : ''}<phrase>${tail.length ? ' [<tail>]' : ''}`;
  const rules = [
    '#JSGF V1.0;',
    'grammar switchboard;',
    `public <utterance> = ${alternatives}${decoy.length ? ' | <decoy>' : ''};`,
    `<phrase> = ${phrases.join(' | ')};`,
  ];
  if (lead.length) rules.push(`<lead> = ${lead.join(' | ')};`);
  if (tail.length) rules.push(`<tail> = ${tail.join(' | ')};`);
  if (decoy.length) rules.push(`<decoy> = ${decoy.join(' | ')};`);

  const used = new Set([...phrases, ...lead, ...tail, ...decoy].flatMap((p) => p.split(' ')));
  const dictionary = [...used]
    .sort()
    .flatMap((w) => pronunciations.get(w) ?? [])
    .join('\n');

  return {
    jsgf: `${rules.join('\n')}\n`,
    dictionary: `${dictionary}\n`,
    phrases,
    missingWords: [...missing].sort(),
    droppedPhrases: dropped,
  };
}
