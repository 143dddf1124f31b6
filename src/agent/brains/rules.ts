import {
  compilePhrase,
  DEFAULT_FILLERS,
  LANGUAGES,
  matchesPhrase,
  removeFillers,
  tokenize,
  type ClassifierConfig,
  type CompiledPhrase,
  type Language,
  type PerLanguage,
} from '../classify/index.js';
import type { RulesBrainConfig } from './rules-config.js';

/** The rules brain's answer: a FAQ entry's text, or the fallback that offers the helpdesk. */
export type RulesReply =
  | { kind: 'faq'; id: string; text: string; language: Language }
  | { kind: 'fallback'; text: string; language: Language };

export interface RulesBrain {
  answer(text: string, language: Language): RulesReply;
}

export interface RulesBrainDeps {
  /** Hesitation words per language, as in the classifier config; its defaults otherwise. */
  fillers?: PerLanguage<string[]>;
}

interface CompiledEntry {
  id: string;
  keywords: CompiledPhrase[];
  answer: PerLanguage<string>;
}

/**
 * The offline brain: answers frequent questions by keyword, in the caller's language. Hand-off,
 * emergency and goodbye are the classifier's job and never reach it. Keywords of every language
 * are tried, because a recogniser's language guess can be wrong while the keyword is still clear.
 */
export function createRulesBrain(config: RulesBrainConfig, deps: RulesBrainDeps = {}): RulesBrain {
  const fillerWords = deps.fillers ?? DEFAULT_FILLERS;
  const fillers = LANGUAGES.flatMap((l) => fillerWords[l].map(tokenize));
  const entries: CompiledEntry[] = config.faq.map((entry) => ({
    id: entry.id,
    answer: entry.answer,
    keywords: [...entry.keywords, ...LANGUAGES.flatMap((l) => entry.localKeywords[l])]
      .map((k) => compilePhrase(k, fillers))
      .filter((k) => k.words.length > 0),
  }));

  return {
    answer(text, language) {
      const words = removeFillers(tokenize(text), fillers);
      let best: { entry: CompiledEntry; length: number } | undefined;
      for (const entry of entries) {
        for (const keyword of entry.keywords) {
          // The longest keyword wins ("car park" over "open"); on a tie the earlier entry does.
          if (best && keyword.words.length <= best.length) continue;
          if (matchesPhrase(words, keyword)) best = { entry, length: keyword.words.length };
        }
      }
      if (!best) return { kind: 'fallback', text: config.fallback[language], language };
      return { kind: 'faq', id: best.entry.id, text: best.entry.answer[language], language };
    },
  };
}

/**
 * What the offline recogniser should listen for: the English hand-off and emergency phrases,
 * then every FAQ keyword. Only English, because the only acoustic model available
 * offline is en-us. Anchors are removed; duplicates are dropped, first occurrence kept.
 */
export function grammarPhrases(
  classifierConfig: Pick<ClassifierConfig, 'phrases'>,
  rulesConfig: RulesBrainConfig,
): string[] {
  // Goodbye phrases stay out: a closed grammar forces off-script speech onto some phrase, and
  // "bye" was a frequent landing spot, which would hang up on the caller. Offline callers end
  // the call by hanging up; a wrong hand-off or FAQ answer is recoverable, a wrong hang-up is not.
  const { handoff, emergency, hours, message, yes, no } = classifierConfig.phrases;
  const all = [
    ...emergency.en,
    ...hours.en,
    ...message.en,
    ...handoff.en,
    // The callback question's answers ("no" does nothing outside it).
    ...yes.en,
    ...no.en,
    ...rulesConfig.faq.flatMap((entry) => entry.keywords),
  ].map((p) =>
    p
      .trim()
      .replace(/^\^|\$$/g, '')
      .toLowerCase()
      .trim(),
  );
  return [...new Set(all.filter((p) => p !== ''))];
}
