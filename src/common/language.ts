import { z } from 'zod';

/** The languages the line speaks. Every per-language setting has exactly these keys. */
export const LANGUAGES = ['nl', 'fr', 'en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

export const languageSchema = z.enum(LANGUAGES);

/** One value per language, the shape every per-language config entry has. */
export type PerLanguage<T> = Record<Language, T>;
