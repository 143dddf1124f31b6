/**
 * Text normalisation shared by the classifier, the rules brain and the offline grammar, so that a
 * phrase in config and the words a recogniser returns are compared in the same form.
 */

/** Letters NFD does not decompose into a base letter plus a mark. */
const LIGATURES: Record<string, string> = { ß: 'ss', œ: 'oe', æ: 'ae', ø: 'o', ł: 'l', đ: 'd' };

/**
 * Lower case, diacritics stripped (NFD, marks removed), every character that is not a letter or
 * digit a word break. "Quelqu'un" becomes "quelqu un" and "can't" becomes "can t": apostrophes
 * split words on both sides of the comparison, so phrase and transcript still line up.
 */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[ßœæøłđ]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Index of `needle` as a contiguous run of whole words inside `haystack`, or -1. */
export function indexOfSequence(haystack: readonly string[], needle: readonly string[]): number {
  if (needle.length === 0 || needle.length > haystack.length) return -1;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/**
 * Removes filler words and filler sequences ("uh", "euh", "you know") wherever they occur, so
 * "met een, euh, mens praten" still contains "met een mens praten". Longer fillers go first.
 */
export function removeFillers(tokens: readonly string[], fillers: readonly string[][]): string[] {
  if (fillers.length === 0) return [...tokens];
  const sorted = [...fillers].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
  const out: string[] = [];
  let i = 0;
  scan: while (i < tokens.length) {
    for (const filler of sorted) {
      if (filler.every((word, j) => tokens[i + j] === word)) {
        i += filler.length;
        continue scan;
      }
    }
    out.push(tokens[i] as string);
    i++;
  }
  return out;
}

/** A configured phrase in matchable form. `^` and `$` anchor it to the start or end of the turn. */
export interface CompiledPhrase {
  source: string;
  words: string[];
  atStart: boolean;
  atEnd: boolean;
}

/** Compiles one phrase; its filler words are removed exactly as they are from a transcript. */
export function compilePhrase(source: string, fillers: readonly string[][] = []): CompiledPhrase {
  const trimmed = source.trim();
  const atStart = trimmed.startsWith('^');
  const atEnd = trimmed.endsWith('$');
  const body = trimmed.slice(atStart ? 1 : 0, atEnd ? -1 : undefined);
  return { source, words: removeFillers(tokenize(body), fillers), atStart, atEnd };
}

/** Whether the phrase occurs in the (already normalised, filler-free) words of a turn. */
export function matchesPhrase(words: readonly string[], phrase: CompiledPhrase): boolean {
  const n = phrase.words.length;
  if (n === 0 || n > words.length) return false;
  if (phrase.atStart && phrase.atEnd) {
    return n === words.length && indexOfSequence(words, phrase.words) === 0;
  }
  if (phrase.atStart) return indexOfSequence(words.slice(0, n), phrase.words) === 0;
  if (phrase.atEnd) return indexOfSequence(words.slice(words.length - n), phrase.words) === 0;
  return indexOfSequence(words, phrase.words) >= 0;
}
