/** The languages the line speaks, defined once for the whole product in src/common. */
export { LANGUAGES, type Language, type PerLanguage } from '../../common/index.js';
