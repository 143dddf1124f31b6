/** Deterministic classifier: hand-off, emergency and goodbye phrases in nl, fr, en and de. */
export {
  classifyDtmf,
  createClassifier,
  type Classifier,
  type ClassifierOptions,
  type TerminalIntent,
  type TerminalMatch,
} from './classify.js';
export { classifierConfigSchema, type ClassifierConfig } from './config.js';
export {
  DEFAULT_EMERGENCY,
  DEFAULT_FILLERS,
  DEFAULT_GOODBYE,
  DEFAULT_HANDOFF,
  DEFAULT_IGNORE,
} from './default-phrases.js';
export { LANGUAGES, type Language, type PerLanguage } from './language.js';
export {
  compilePhrase,
  matchesPhrase,
  normalizeText,
  removeFillers,
  tokenize,
  type CompiledPhrase,
} from './normalize.js';
