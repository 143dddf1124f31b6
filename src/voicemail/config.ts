import { z } from 'zod';
import { isLoopbackUrl } from '../common/index.js';

const perLanguage = z
  .object({
    nl: z.string().min(1),
    fr: z.string().min(1),
    en: z.string().min(1),
    de: z.string().min(1),
  })
  .strict();

const sentences = (defaults: z.infer<typeof perLanguage>) => perLanguage.default(defaults);

/**
 * Voicemail without audio: the caller's message is kept as text only, under the transcript
 * retention. A callback number is stored only with the caller's consent, encrypted with a key
 * from this config (never kept in Redis).
 */
export const voicemailConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * Keys that encrypt a consented callback number at rest (AES-256-GCM). The first encrypts;
     * all decrypt, so a key can be rotated. `key`: 32 bytes as 64 hex characters.
     */
    callbackKeys: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9]{1,16}$/, 'use 1 to 16 lowercase letters or digits'),
            key: z
              .string()
              .regex(
                /^[0-9a-fA-F]{64}$/,
                'use 32 bytes as 64 hex characters, e.g. `openssl rand -hex 32`',
              ),
          })
          .strict(),
      )
      .default([]),
    /** The message ends after this long without the caller speaking. */
    messageSilenceMs: z.number().int().min(1000).max(10_000).default(2500),
    /** A message is cut off after this long. */
    maxMessageSeconds: z.number().int().min(10).max(600).default(120),
    /** New messages are pushed here, signed with HMAC-SHA256 (see src/voicemail/webhook.ts). */
    webhook: z
      .object({
        url: z.string().url(),
        secret: z.string().min(16, 'use a secret of at least 16 characters'),
        timeoutMs: z.number().int().min(100).max(30_000).default(5000),
      })
      .strict()
      .optional(),
    /** Calling the caller back through an outbound trunk of `provisioning.outboundTrunks`. */
    callback: z
      .object({
        /** The outbound trunk's name in `provisioning.outboundTrunks`. */
        trunk: z.string().min(1),
        /** How long the callee's phone may ring. */
        ringSeconds: z.number().int().min(5).max(120).default(30),
      })
      .strict()
      .optional(),
    prompts: z
      .object({
        /** After a closed helpdesk's hours or a failed transfer: the offer to take a message. */
        offer: sentences({
          nl: 'U kunt een bericht inspreken. Zeg na deze zin uw bericht; ik schrijf het op.',
          fr: 'Vous pouvez laisser un message. Dites votre message après cette phrase, je le note.',
          en: 'You can leave a message. Say your message after this sentence, and I will write it down.',
          de: 'Sie können eine Nachricht hinterlassen. Sprechen Sie nach diesem Satz, ich schreibe sie auf.',
        }),
        /** Read back before the consent question; `{message}` is replaced by its first words. */
        readBack: sentences({
          nl: 'Ik heb genoteerd: {message}.',
          fr: "J'ai noté : {message}.",
          en: 'I have noted: {message}.',
          de: 'Ich habe notiert: {message}.',
        }),
        consent: sentences({
          nl: 'Wilt u teruggebeld worden op het nummer waarmee u nu belt? Zeg ja of nee.',
          fr: 'Voulez-vous être rappelé au numéro depuis lequel vous appelez ? Dites oui ou non.',
          en: 'Would you like us to call you back on the number you are calling from? Say yes or no.',
          de: 'Möchten Sie auf der Nummer, von der Sie anrufen, zurückgerufen werden? Sagen Sie ja oder nein.',
        }),
        savedWithCallback: sentences({
          nl: 'Dank u. Uw bericht is doorgegeven en we bellen u terug. Tot ziens.',
          fr: 'Merci. Votre message est transmis et nous vous rappellerons. Au revoir.',
          en: 'Thank you. Your message has been passed on and we will call you back. Goodbye.',
          de: 'Danke. Ihre Nachricht ist weitergegeben und wir rufen Sie zurück. Auf Wiederhören.',
        }),
        saved: sentences({
          nl: 'Dank u. Uw bericht is doorgegeven. Tot ziens.',
          fr: 'Merci. Votre message est transmis. Au revoir.',
          en: 'Thank you. Your message has been passed on. Goodbye.',
          de: 'Danke. Ihre Nachricht ist weitergegeben. Auf Wiederhören.',
        }),
        /** Before the offer, when a transfer did not go through. */
        unavailable: sentences({
          nl: 'Er is op dit moment niemand beschikbaar.',
          fr: "Personne n'est disponible pour le moment.",
          en: 'Nobody is available to take your call right now.',
          de: 'Im Moment ist niemand erreichbar.',
        }),
        /** Storing the message failed (Redis down): the caller is told, never left in silence. */
        notSaved: sentences({
          nl: 'Sorry, uw bericht kon niet worden bewaard. Belt u later opnieuw, alstublieft. Tot ziens.',
          fr: "Désolé, votre message n'a pas pu être enregistré. Merci de rappeler plus tard. Au revoir.",
          en: 'Sorry, your message could not be saved. Please call again later. Goodbye.',
          de: 'Entschuldigung, Ihre Nachricht konnte nicht gespeichert werden. Bitte rufen Sie später erneut an. Auf Wiederhören.',
        }),
        /** Nothing was said: nothing is stored. */
        empty: sentences({
          nl: 'Ik heb geen bericht gehoord. U kunt het later opnieuw proberen. Tot ziens.',
          fr: "Je n'ai pas entendu de message. Vous pouvez réessayer plus tard. Au revoir.",
          en: 'I did not hear a message. You can try again later. Goodbye.',
          de: 'Ich habe keine Nachricht gehört. Sie können es später erneut versuchen. Auf Wiederhören.',
        }),
        /** The callback's opening line; `{time}` is when the message was left (HH:MM, local). */
        callbackIntro: sentences({
          nl: 'Goedendag, u spreekt met de helpdesk. We bellen u terug op uw bericht van {time}. Waarmee kan ik u helpen?',
          fr: 'Bonjour, ici le helpdesk. Nous vous rappelons suite à votre message de {time}. Comment puis-je vous aider ?',
          en: 'Hello, this is the helpdesk, calling you back about your message from {time}. How can I help?',
          de: 'Guten Tag, hier ist der Helpdesk. Wir rufen Sie wegen Ihrer Nachricht von {time} zurück. Wie kann ich helfen?',
        }),
      })
      .strict()
      .default({}),
  })
  .strict();

export type VoicemailConfig = z.infer<typeof voicemailConfigSchema>;

/**
 * A key any reader of this repository knows: for a dev stack only (examples/config/dev.yaml).
 * Refused under profile pilot, like any key with the same few hex digits repeated.
 */
export const DEV_CALLBACK_KEY = {
  id: 'dev',
  key: '00000000000000000000000000000000000000000000000000000000000000de',
} as const;

/** A key from `openssl rand -hex 32` uses nearly all 16 hex digits; a typed-in one does not. */
const looksTypedIn = (key: string): boolean => new Set(key.toLowerCase()).size < 8;

/** Cross-slice check for schema.ts: a callback needs a key, and pilot refuses dev keys. */
export function checkVoicemail(
  config: { profile: 'dev' | 'pilot'; voicemail: VoicemailConfig },
  ctx: z.RefinementCtx,
): void {
  const { voicemail, profile } = config;
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['voicemail', ...path], message });
  if (voicemail.callback && voicemail.callbackKeys.length === 0) {
    issue(
      ['callbackKeys'],
      'voicemail.callback needs a key: the consented number is stored only encrypted; add { id: k1, key: "${SWITCHBOARD_CALLBACK_KEY}" } with `openssl rand -hex 32`',
    );
  }
  const ids = new Set<string>();
  voicemail.callbackKeys.forEach(({ id, key }, i) => {
    if (ids.has(id)) issue(['callbackKeys', i, 'id'], `key id "${id}" is used twice`);
    ids.add(id);
    if (profile === 'pilot' && (id === DEV_CALLBACK_KEY.id || looksTypedIn(key))) {
      issue(
        ['callbackKeys', i, 'key'],
        'a dev or hand-typed callback key is refused under profile pilot; generate one with `openssl rand -hex 32` and pass it as "${SWITCHBOARD_CALLBACK_KEY}"',
      );
    }
  });
  if (profile === 'pilot' && voicemail.webhook && !voicemail.webhook.url.startsWith('https://')) {
    if (!isLoopbackUrl(voicemail.webhook.url)) {
      issue(
        ['webhook', 'url'],
        "the webhook carries callers' messages: use https:// under profile pilot (http:// only to this host)",
      );
    }
  }
}
