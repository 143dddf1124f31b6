import { z } from 'zod';

const RECORD_FREE_MESSAGE =
  'the line is record-free by design: no audio is ever stored, so recordAudio only accepts false; remove the key or set it to false';

export const privacyConfigSchema = z
  .object({
    /**
     * How long a call's transcript (turns, outcome, duration) is kept. Redis expires every key
     * itself, so nothing outlives this even if no clean-up job runs. 30 days: long enough for the
     * helpdesk to follow up a call, short enough for GDPR storage limitation.
     */
    retentionDays: z
      .number()
      .int('use a whole number of days between 1 and 365')
      .min(1, 'use between 1 and 365 days; transcripts are kept for this long')
      .max(365, 'use between 1 and 365 days; keep transcripts no longer than needed (GDPR)')
      .default(30),
    /**
     * For tests only: retention in seconds, replacing retentionDays, so expiry can be observed in
     * seconds. Leave it unset in production.
     */
    retentionSecondsOverride: z
      .number()
      .int('use a whole number of seconds between 1 and 86400')
      .min(1, 'use between 1 and 86400 seconds, or remove the key to use retentionDays')
      .max(86_400, 'use between 1 and 86400 seconds, or remove the key to use retentionDays')
      .optional(),
    /** Only `false` is accepted: the line never stores audio. */
    recordAudio: z
      .literal(false, { errorMap: () => ({ message: RECORD_FREE_MESSAGE }) })
      .default(false),
    /** Prefix of every transcript key in Redis (`<prefix>:tr:…`). */
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'use 1 to 32 letters, digits, "_" or "-" (no braces)')
      .default('sb'),
  })
  .strict();

export type PrivacyConfig = z.infer<typeof privacyConfigSchema>;

/** Retention of every transcript key, in seconds. */
export function retentionSeconds(
  config: Pick<PrivacyConfig, 'retentionDays' | 'retentionSecondsOverride'>,
): number {
  return config.retentionSecondsOverride ?? config.retentionDays * 86_400;
}
