/**
 * Definitions every folder shares: the languages the line speaks and the E.164 number format.
 * A leaf: it imports nothing from the project, so any folder can import it without a cycle.
 */
export { LANGUAGES, languageSchema, type Language, type PerLanguage } from './language.js';
export { E164, E164_HINT, E164_PATTERN, e164Schema, isE164 } from './e164.js';
