import { z } from 'zod';
import { e164Schema, languageSchema, type Language } from '../common/index.js';

const e164 = e164Schema(
  'use E.164: "+", the country code and the number, without spaces (e.g. +32 then the number without its leading 0)',
);

function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const publicUrl = z
  .string()
  .superRefine((value, ctx) => {
    const url = tryUrl(value);
    if (url === undefined || !/^https?:$/.test(url.protocol)) {
      ctx.addIssue({
        code: 'custom',
        message: 'use the absolute http(s) URL Twilio calls, e.g. https://switchboard.example.org',
      });
    } else if (url.search !== '' || url.hash !== '') {
      ctx.addIssue({
        code: 'custom',
        message:
          'remove the query string and fragment: routes and their queries are appended to it',
      });
    }
  })
  // One canonical form, so the signed URL is always `<publicUrl>/twilio/voice`.
  .transform((value) => value.replace(/\/+$/, ''));

/** A host name, IPv4 or [IPv6] address, optionally with a port: the gateway as Twilio dials it. */
const sipDomain = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/,
    'use host or host:port of the SIP gateway, e.g. sip.example.org:5061 (no sip: prefix, no user)',
  );

/** SIP user parts we write into a URI; a narrow set so nothing needs escaping. */
const sipUser = z
  .string()
  .regex(
    /^[A-Za-z0-9+._-]{1,64}$/,
    'use 1-64 letters, digits, "+", ".", "_" or "-" (it becomes the user part of the SIP URI)',
  );

const noControl = (what: string) =>
  z
    .string()
    .min(1)
    .max(500)
    // eslint-disable-next-line no-control-regex
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), {
      message: `${what} must be one line without control characters`,
    });

const DEFAULT_FALLBACK_MESSAGE: Record<Language, string> = {
  nl: 'Sorry, we kunnen uw oproep nu niet doorverbinden. Probeer later opnieuw. Bij een noodgeval: leg in en bel 112.',
  fr: "Désolé, nous ne pouvons pas transmettre votre appel pour le moment. Veuillez rappeler plus tard. En cas d'urgence, raccrochez et composez le 112.",
  en: 'Sorry, we cannot connect your call right now. Please call again later. In an emergency, hang up and dial 112.',
  de: 'Leider können wir Ihren Anruf gerade nicht verbinden. Bitte rufen Sie später wieder an. In einem Notfall legen Sie auf und wählen Sie 112.',
};

const fallbackMessageSchema = z
  .object({
    nl: noControl('fallbackMessage.nl').optional(),
    fr: noControl('fallbackMessage.fr').optional(),
    en: noControl('fallbackMessage.en').optional(),
    de: noControl('fallbackMessage.de').optional(),
  })
  .strict()
  .refine((messages) => Object.values(messages).some((m) => m !== undefined), {
    message: 'give the fallback message in at least one language (nl, fr, en or de)',
  });

export const twilioConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    accountSid: z
      .string()
      .regex(/^AC[0-9a-f]{32}$/, 'use your Account SID: "AC" and 32 lowercase hex digits')
      .optional(),
    /** HMAC key of X-Twilio-Signature. Write `${TWILIO_AUTH_TOKEN}`; never the token itself. */
    authToken: z
      .string()
      .min(16, 'use the 32-character auth token, as a ${TWILIO_AUTH_TOKEN} reference')
      .optional(),
    /**
     * The base URL configured in the Twilio console, e.g. https://switchboard.example.org.
     * Signatures are checked against `<publicUrl><route><query>`, never the Host header: behind a
     * TLS proxy Host and scheme differ from what Twilio signed.
     */
    publicUrl: publicUrl.optional(),
    /** Gateway host[:port] that Twilio dials. Default: sip.publicAddress with sip.tls.port (pilot) or sip.port (dev). */
    sipDomain: sipDomain.optional(),
    /** Fixed user part of the SIP URI; when absent the dialled number (validated `To`) is used. */
    sipUser: sipUser.optional(),
    /** Digest credentials Twilio presents to the gateway's inbound trunk. */
    sipUsername: sipUser.optional(),
    sipPassword: noControl('sipPassword').optional(),
    helpdeskNumber: e164.optional(),
    /**
     * What a caller gets when the SIP leg to the agent fails (busy, failed, no-answer).
     * Default `helpdesk`: a hospital line must stay reachable, and a human who can help beats a
     * recorded apology. The message is still said if the helpdesk itself does not answer.
     */
    fallback: z.enum(['helpdesk', 'message']).default('helpdesk'),
    fallbackMessage: fallbackMessageSchema.default(DEFAULT_FALLBACK_MESSAGE),
    /** Seconds Twilio lets the gateway or the helpdesk ring before the fallback runs. */
    dialTimeoutSeconds: z.number().int().min(5).max(600).default(30),
  })
  .strict()
  .superRefine((twilio, ctx) => {
    if (!twilio.enabled) return;
    const required: Array<[keyof typeof twilio, string]> = [
      ['accountSid', 'set the Account SID (AC…) of the account that owns the number'],
      ['authToken', 'set authToken: ${TWILIO_AUTH_TOKEN} and export the token'],
      ['publicUrl', 'set the public base URL configured as the number’s voice webhook'],
      ['helpdeskNumber', 'set the E.164 number of the human helpdesk (escalation and fallback)'],
    ];
    for (const [key, message] of required) {
      if (twilio[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message });
    }
    if ((twilio.sipUsername === undefined) !== (twilio.sipPassword === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sipPassword'],
        message: 'set both sipUsername and sipPassword, or neither',
      });
    }
  });

export const cloudonixConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Alias Cloudonix registered for our gateway as a service provider. */
    providerAlias: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use the alias Cloudonix gave you: letters, digits, _ . -')
      .optional(),
    /**
     * Cloudonix does not sign webhooks: it must send this as `Authorization: Bearer <secret>` or as
     * the basic-auth password. Write `${CLOUDONIX_WEBHOOK_SECRET}`.
     */
    secret: z
      .string()
      .min(24, 'use at least 24 random characters (openssl rand -hex 24) via ${ENV}')
      .optional(),
    /** Number placed in `<Service>`: the number of the inbound trunk on our gateway. */
    destinationNumber: e164.optional(),
  })
  .strict()
  .superRefine((cloudonix, ctx) => {
    if (!cloudonix.enabled) return;
    const required: Array<[keyof typeof cloudonix, string]> = [
      ['providerAlias', 'set the service-provider alias Cloudonix registered for the gateway'],
      ['secret', 'set secret: ${CLOUDONIX_WEBHOOK_SECRET} and configure it in Cloudonix'],
      ['destinationNumber', 'set the E.164 number the gateway answers (the <Service> body)'],
    ];
    for (const [key, message] of required) {
      if (cloudonix[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message });
    }
  });

export const carriersConfigSchema = z
  .object({
    /** Said first in the fallback message; the other configured languages follow. */
    language: languageSchema.default('en'),
    /** Webhook bodies above this are refused with 413; Twilio's are about 1-2 KiB. */
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(16 * 1024),
    twilio: twilioConfigSchema.default({}),
    cloudonix: cloudonixConfigSchema.default({}),
  })
  .strict();

export type CarriersConfig = z.infer<typeof carriersConfigSchema>;
export type TwilioConfig = CarriersConfig['twilio'];
export type CloudonixConfig = CarriersConfig['cloudonix'];

/**
 * Cross-slice checks, for the root schema's superRefine. Under pilot, Twilio dials the gateway with
 * `;transport=tls`: an explicit sipDomain must name the TLS port that sip.tls serves.
 */
export function checkCarriers(
  config: {
    profile: 'dev' | 'pilot';
    carriers: CarriersConfig;
    sip: { tls?: { port: number } };
  },
  ctx: z.RefinementCtx,
): void {
  const { twilio } = config.carriers;
  const tlsPort = config.sip.tls?.port ?? 5061;
  if (config.profile !== 'pilot' || !twilio.enabled || twilio.sipDomain === undefined) return;
  const port = Number(/:(\d+)$/.exec(twilio.sipDomain)?.[1] ?? 5061);
  if (port !== tlsPort) {
    ctx.addIssue({
      code: 'custom',
      path: ['carriers', 'twilio', 'sipDomain'],
      message: `profile pilot dials the gateway over TLS on sip.tls.port (${tlsPort}), not ${port}; write host:${tlsPort}, or leave sipDomain out to use sip.publicAddress`,
    });
  }
}
