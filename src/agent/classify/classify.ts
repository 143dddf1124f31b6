import type { ClassifierConfig } from './config.js';
import { LANGUAGES, type Language, type PerLanguage } from './language.js';
import {
  compilePhrase,
  matchesPhrase,
  removeFillers,
  tokenize,
  type CompiledPhrase,
} from './normalize.js';

/** What a caller's turn asks for, acted on by a call-control verb instead of a brain's answer. */
export type TerminalIntent =
  'HANDOFF_REQUEST' | 'EMERGENCY' | 'GOODBYE' | 'HOURS_QUESTION' | 'LEAVE_MESSAGE';

/** What a turn asked for, in which language, and the configured phrase that said so. */
export interface TerminalMatch {
  intent: TerminalIntent;
  language: Language;
  phrase: string;
}

/** The part of the classifier config the matcher needs; fillers, ignore and dtmf are optional. */
export interface ClassifierOptions {
  /** The hours, message and consent lists are optional (tests build classifiers by hand). */
  phrases: Pick<ClassifierConfig['phrases'], 'handoff' | 'emergency' | 'goodbye'> &
    Partial<ClassifierConfig['phrases']>;
  fillers?: PerLanguage<string[]>;
  ignore?: PerLanguage<string[]>;
  dtmf?: ClassifierConfig['dtmf'];
}

/**
 * Most urgent first: an emergency is never treated as a hand-off, a hand-off never as goodbye.
 * Hours and message phrases come before the hand-off ones, which they often contain ("when is the
 * helpdesk open", "leave a message for the helpdesk").
 */
const PRECEDENCE: ReadonlyArray<[TerminalIntent, IntentList]> = [
  ['EMERGENCY', 'emergency'],
  ['HOURS_QUESTION', 'hours'],
  ['LEAVE_MESSAGE', 'message'],
  ['HANDOFF_REQUEST', 'handoff'],
  ['GOODBYE', 'goodbye'],
];

type IntentList = keyof ClassifierConfig['phrases'];

interface CompiledLanguage {
  fillers: string[][];
  ignore: CompiledPhrase[];
  intents: Record<IntentList, CompiledPhrase[]>;
}

export interface Classifier {
  /** `language` (the call's language so far) wins ties, such as "operator" in nl, en and de. */
  classify(text: string, language?: Language): TerminalMatch | undefined;
  classifyDtmf(digit: string): TerminalIntent | undefined;
  /** A yes or no to a question; undefined when the turn is neither. */
  consent(text: string, language: Language): 'yes' | 'no' | undefined;
}

/** Compiles the phrase lists once; use it per call instead of re-reading config every turn. */
export function createClassifier(options: ClassifierOptions): Classifier {
  const compiled = {} as PerLanguage<CompiledLanguage>;
  for (const language of LANGUAGES) {
    const fillers = (options.fillers?.[language] ?? []).map(tokenize);
    const compile = (list: string[]) =>
      list.map((p) => compilePhrase(p, fillers)).filter((p) => p.words.length > 0);
    compiled[language] = {
      fillers,
      ignore: compile(options.ignore?.[language] ?? []),
      intents: {
        handoff: compile(options.phrases.handoff[language]),
        emergency: compile(options.phrases.emergency[language]),
        goodbye: compile(options.phrases.goodbye[language]),
        hours: compile(options.phrases.hours?.[language] ?? []),
        message: compile(options.phrases.message?.[language] ?? []),
        yes: compile(options.phrases.yes?.[language] ?? []),
        no: compile(options.phrases.no?.[language] ?? []),
      },
    };
  }

  const wordsOf = (text: string, language: Language): string[] => {
    const { fillers, ignore } = compiled[language];
    return removeFillers(
      removeFillers(tokenize(text), fillers),
      ignore.map((p) => p.words),
    );
  };

  return {
    classify(text, preferred) {
      const order = preferred
        ? [preferred, ...LANGUAGES.filter((l) => l !== preferred)]
        : LANGUAGES;
      if (tokenize(text).length === 0) return undefined;
      const words = {} as PerLanguage<string[]>;
      for (const language of LANGUAGES) words[language] = wordsOf(text, language);
      for (const [intent, key] of PRECEDENCE) {
        let best: { language: Language; phrase: CompiledPhrase } | undefined;
        for (const language of order) {
          for (const phrase of compiled[language].intents[key]) {
            // The longest phrase names the language best: "bye" is English, "tot ziens" Dutch.
            if (best && phrase.words.length <= best.phrase.words.length) continue;
            if (matchesPhrase(words[language], phrase)) best = { language, phrase };
          }
        }
        if (best) return { intent, language: best.language, phrase: best.phrase.source };
      }
      return undefined;
    },
    classifyDtmf: (digit) => classifyDtmf(digit, options),
    consent(text, language) {
      const words = wordsOf(text, language);
      const says = (list: 'yes' | 'no') =>
        compiled[language].intents[list].some((phrase) => matchesPhrase(words, phrase));
      if (says('yes')) return 'yes';
      if (says('no')) return 'no';
      return undefined;
    },
  };
}

/** DTMF: `0` asks for the helpdesk by default; emergency keys only when configured. */
export function classifyDtmf(
  digit: string,
  options: Pick<ClassifierOptions, 'dtmf'> = {},
): TerminalIntent | undefined {
  const dtmf = options.dtmf ?? { handoff: ['0'], emergency: [] };
  if (dtmf.emergency.includes(digit)) return 'EMERGENCY';
  if (dtmf.handoff.includes(digit)) return 'HANDOFF_REQUEST';
  return undefined;
}
