import { describe, expect, it } from 'vitest';
import {
  compilePhrase,
  matchesPhrase,
  normalizeText,
  removeFillers,
  tokenize,
} from './normalize.js';

describe('normalizeText', () => {
  it('folds case, accents, ligatures and punctuation', () => {
    expect(normalizeText('Je voudrais parler à Quelqu’un !')).toBe(
      'je voudrais parler a quelqu un',
    );
    expect(normalizeText('Ich möchte: Straße, Œuvre')).toBe('ich mochte strasse oeuvre');
    expect(normalizeText("I can't breathe...")).toBe('i can t breathe');
    expect(normalizeText('  ¿¡ !! ')).toBe('');
  });
});

describe('removeFillers', () => {
  it('drops single and multi-word fillers anywhere', () => {
    const fillers = [['euh'], ['weet', 'je']];
    expect(removeFillers(tokenize('euh ik wil weet je euh iemand'), fillers)).toEqual([
      'ik',
      'wil',
      'iemand',
    ]);
  });
});

describe('matchesPhrase', () => {
  it('matches whole words only and honours anchors', () => {
    const words = tokenize('de dag van morgen');
    expect(matchesPhrase(words, compilePhrase('dag van'))).toBe(true);
    expect(matchesPhrase(words, compilePhrase('da'))).toBe(false);
    expect(matchesPhrase(words, compilePhrase('^dag'))).toBe(false);
    expect(matchesPhrase(words, compilePhrase('^de dag'))).toBe(true);
    expect(matchesPhrase(words, compilePhrase('morgen$'))).toBe(true);
    expect(matchesPhrase(words, compilePhrase('^dag$'))).toBe(false);
    expect(matchesPhrase(tokenize('Dag!'), compilePhrase('^dag$'))).toBe(true);
  });
});
