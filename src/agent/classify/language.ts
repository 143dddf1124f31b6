/**
 * The languages the line speaks. Kept here rather than imported from `agent/config.ts`, which
 * imports this folder's config: an import back would be a cycle at module evaluation.
 */
export const LANGUAGES = ['nl', 'fr', 'en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** One value per language, the shape every per-language config entry has. */
export type PerLanguage<T> = Record<Language, T>;
