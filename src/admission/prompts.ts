import type { Language } from '../common/index.js';
import type { AdmissionConfig } from './config.js';
import type { RejectionReason } from './admission.js';

/** The sentence a refused caller hears; every one of them contains the 112 advice (enforced by config). */
export function rejectionPrompt(
  config: Pick<AdmissionConfig, 'rejectionPrompts'>,
  reason: RejectionReason,
  language: Language,
): string {
  const prompts =
    reason === 'rate_limited'
      ? config.rejectionPrompts.rateLimited
      : config.rejectionPrompts.overCapacity;
  return prompts[language];
}
