import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

/** An integer in [min, max] whose error message says which range to use. */
const bounded = (min: number, max: number, unit: string) =>
  z
    .number()
    .int(`use a whole number of ${unit}`)
    .min(min, `use between ${min} and ${max} ${unit}`)
    .max(max, `use between ${min} and ${max} ${unit}`);

/** Every rejection prompt must tell the caller what to do in an emergency. */
const prompt = z
  .string()
  .min(1)
  .max(400, 'keep a rejection prompt under 400 characters; it is spoken before hanging up')
  .refine((text) => /(^|\D)112(\D|$)/.test(text), {
    message: 'a rejection prompt must tell the caller to hang up and dial 112; add "112" to it',
  });

const perLanguagePrompt = (defaults: Record<'nl' | 'fr' | 'en' | 'de', string>) =>
  z
    .object({
      nl: prompt.default(defaults.nl),
      fr: prompt.default(defaults.fr),
      en: prompt.default(defaults.en),
      de: prompt.default(defaults.de),
    })
    .strict()
    .default({});

const rateLimitedPrompts = {
  nl: 'Bedankt voor uw oproep. U hebt deze lijn in korte tijd vaak gebeld, daarom kunnen we uw oproep nu niet aannemen. Probeer het later opnieuw. Bij een noodgeval: hang op en bel 112.',
  fr: "Merci de votre appel. Vous avez appelé cette ligne souvent en peu de temps, nous ne pouvons donc pas prendre votre appel maintenant. Veuillez réessayer plus tard. En cas d'urgence, raccrochez et composez le 112.",
  en: 'Thank you for calling. You have called this line often in a short time, so we cannot take your call right now. Please try again later. In an emergency, hang up and dial 112.',
  de: 'Vielen Dank für Ihren Anruf. Sie haben diese Nummer in kurzer Zeit oft angerufen, daher können wir Ihren Anruf jetzt nicht annehmen. Bitte versuchen Sie es später erneut. Im Notfall legen Sie auf und wählen Sie 112.',
};

const overCapacityPrompts = {
  nl: 'Bedankt voor uw oproep. Al onze lijnen zijn op dit moment bezet. Probeer het over enkele minuten opnieuw. Bij een noodgeval: hang op en bel 112.',
  fr: "Merci de votre appel. Toutes nos lignes sont occupées pour le moment. Veuillez réessayer dans quelques minutes. En cas d'urgence, raccrochez et composez le 112.",
  en: 'Thank you for calling. All our lines are busy at the moment. Please try again in a few minutes. In an emergency, hang up and dial 112.',
  de: 'Vielen Dank für Ihren Anruf. Alle unsere Leitungen sind zurzeit besetzt. Bitte versuchen Sie es in einigen Minuten erneut. Im Notfall legen Sie auf und wählen Sie 112.',
};

/** Embedded so the dev stack runs without a config file; refused under profile pilot. */
export const DEV_PSEUDONYM_KEY = {
  id: 'dev',
  secret: 'dev-only-pseudonym-key-not-for-real-callers',
} as const;

const pseudonymKeySchema = z
  .object({
    /** Written in front of each pseudonym (`<id>_<hex>`), so keys in a rotation stay tellable apart. */
    id: z
      .string()
      .regex(/^[a-z0-9]{1,16}$/, 'use 1 to 16 lowercase letters or digits, e.g. "k2025"'),
    secret: z
      .string()
      .min(16, 'use a secret of at least 16 characters, e.g. `openssl rand -hex 32`'),
  })
  .strict();

const concurrencySchema = z
  .object({
    /** Simultaneous calls across every worker that shares the Redis. */
    maxCalls: bounded(1, 10_000, 'calls').default(20),
    /**
     * 30 s: a crashed worker's slots come back within half a minute, which is short next to a
     * call (minutes), yet a lease survives two missed heartbeats (GC pause, a Redis failover).
     */
    leaseTtlSeconds: bounded(2, 600, 'seconds').default(30),
    /** 10 s = TTL/3: two heartbeats may be lost before a live call's lease lapses. */
    heartbeatSeconds: bounded(1, 300, 'seconds').default(10),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.leaseTtlSeconds < 2 * c.heartbeatSeconds) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['leaseTtlSeconds'],
        message:
          `leaseTtlSeconds (${c.leaseTtlSeconds}) must be at least 2 × heartbeatSeconds ` +
          `(${c.heartbeatSeconds}); raise leaseTtlSeconds or lower heartbeatSeconds (TTL/3 is a good heartbeat)`,
      });
    }
  });

export const admissionConfigSchema = z
  .object({
    /** Per caller (pseudonym), sliding window. */
    rateLimit: z
      .object({
        maxCalls: bounded(1, 1000, 'calls').default(10),
        windowSeconds: bounded(60, 7 * 24 * 3600, 'seconds').default(3600),
      })
      .strict()
      .default({}),
    /**
     * Withheld, anonymous or non-number callers share one bucket per trunk, over the same window.
     * 30: higher than one caller's limit because many honest callers withhold their number (PBXs,
     * privacy settings), yet bounded so hiding the number does not buy unlimited vendor spend.
     */
    anonymous: z
      .object({ maxCalls: bounded(1, 100_000, 'calls').default(30) })
      .strict()
      .default({}),
    concurrency: concurrencySchema.default({}),
    /** Budget for the whole decision; past it the failure policy applies. */
    redisTimeoutMs: bounded(10, 5000, 'milliseconds').default(250),
    /** `open`: a hospital line stays reachable when Redis is down. `closed`: refuse instead. */
    failurePolicy: z.enum(['open', 'closed']).default('open'),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'use 1 to 32 letters, digits, "_" or "-" (no braces)')
      .default('sb'),
    /** Region for numbers dialled without a country code. */
    region: z
      .string()
      .refine((r): r is CountryCode => isSupportedCountry(r), {
        message: 'use an ISO 3166 two-letter country code in capitals, e.g. "BE"',
      })
      .default('BE'),
    /** First key signs; a second key is accepted during a rotation grace period. */
    pseudonymKeys: z
      .array(pseudonymKeySchema)
      .min(1, 'configure one pseudonym key (two during a rotation)')
      .max(2, 'configure at most two pseudonym keys: the new one first, the old one second')
      .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, {
        message: 'pseudonym key ids must differ; give the new key a new id',
      })
      .default([{ ...DEV_PSEUDONYM_KEY }]),
    rejectionPrompts: z
      .object({
        rateLimited: perLanguagePrompt(rateLimitedPrompts),
        overCapacity: perLanguagePrompt(overCapacityPrompts),
      })
      .strict()
      .default({}),
  })
  .strict();

export type AdmissionConfig = z.infer<typeof admissionConfigSchema>;

/** Cross-slice check for schema.ts: the embedded dev key must not pseudonymise real callers. */
export function checkAdmission(
  config: { profile: 'dev' | 'pilot'; admission: AdmissionConfig },
  ctx: z.RefinementCtx,
): void {
  if (config.profile !== 'pilot') return;
  config.admission.pseudonymKeys.forEach((key, i) => {
    if (key.secret === DEV_PSEUDONYM_KEY.secret) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['admission', 'pseudonymKeys', i, 'secret'],
        message:
          'the embedded dev pseudonym secret is refused under profile pilot; set a secret of your own, e.g. "${SWITCHBOARD_PSEUDONYM_SECRET}"',
      });
    }
  });
}
