import type { AdmissionConfig } from './config.js';
import type { RejectionReason } from './admission.js';

export type PromptLanguage = 'nl' | 'fr' | 'en' | 'de';

/** The sentence a refused caller hears; every one of them contains the 112 advice (enforced by config). */
export function rejectionPrompt(
  config: Pick<AdmissionConfig, 'rejectionPrompts'>,
  reason: RejectionReason,
  language: PromptLanguage,
): string {
  const prompts =
    reason === 'rate_limited'
      ? config.rejectionPrompts.rateLimited
      : config.rejectionPrompts.overCapacity;
  return prompts[language];
}

/** Every distinct prompt, for synthesising them all once at worker start. */
export function allRejectionPrompts(
  config: Pick<AdmissionConfig, 'rejectionPrompts'>,
): { reason: RejectionReason; language: PromptLanguage; text: string }[] {
  const reasons: RejectionReason[] = ['rate_limited', 'over_capacity'];
  const languages: PromptLanguage[] = ['nl', 'fr', 'en', 'de'];
  return reasons.flatMap((reason) =>
    languages.map((language) => ({
      reason,
      language,
      text: rejectionPrompt(config, reason, language),
    })),
  );
}
