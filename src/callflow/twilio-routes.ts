import { Hono, type Context } from 'hono';
import type { Logger } from '../telemetry/index.js';
import { isE164, LANGUAGES, type Language } from '../common/index.js';
import type { MessageStore, VoicemailConfig } from '../voicemail/index.js';
import type { CarriersConfig, TwilioConfig } from './config.js';
import { WebhookError } from './errors.js';
import { webhookHandler, type Served } from './handle.js';
import type { CallerPseudonymizer } from './pseudonymizer.js';
import { field, readWebhookForm } from './request.js';
import { signedUrl, verifyTwilioSignature, type FormParams } from './signature.js';
import { gatewaySipUri } from './sip-uri.js';
import {
  dialAgentTwiml,
  dialNumberTwiml,
  hangupTwiml,
  messageOfferTwiml,
  messageTwiml,
  type SpokenMessage,
} from './twiml.js';

export const TWILIO_ROUTES = {
  voice: '/twilio/voice',
  escalate: '/twilio/escalate',
  dialStatus: '/twilio/dial-status',
  voicemail: '/twilio/voicemail',
} as const;

const CALL_SID = /^CA[0-9a-f]{32}$/;
/** User part when no sipUser is set and `To` is not a phone number (e.g. a Twilio Client call). */
export const DEFAULT_SIP_USER = 'switchboard';
/** The SIP leg ended normally, or the caller hung up first: nothing left to do. */
const DIAL_ENDED = new Set(['completed', 'answered', 'canceled']);

export interface TwilioRoutesOptions {
  profile: 'dev' | 'pilot';
  /** host:port of the gateway when twilio.sipDomain is not set. */
  defaultSipDomain: string;
  carriers: CarriersConfig;
  pseudonymizer: CallerPseudonymizer;
  logger: Logger;
  /**
   * Where a caller's message goes when nobody can take the call. Without it, or with
   * `voicemail.enabled: false`, the fallback message ends the call as before.
   */
  voicemail?: { config: VoicemailConfig; messages: MessageStore };
}

/** A Twilio request that passed every check; the config fields it relies on are present. */
interface VerifiedCall {
  params: FormParams;
  callSid: string;
  callerPseudonym: string | undefined;
}

export function createTwilioRoutes(opts: TwilioRoutesOptions): Hono {
  const { profile, carriers, pseudonymizer, logger } = opts;
  const voicemail = opts.voicemail?.config.enabled ? opts.voicemail : undefined;
  const twilio = requireEnabled(carriers.twilio);
  const domain = twilio.sipDomain ?? opts.defaultSipDomain;
  const timeoutSeconds = twilio.dialTimeoutSeconds;
  const statusUrl = (leg: 'agent' | 'helpdesk') =>
    `${twilio.publicUrl}${TWILIO_ROUTES.dialStatus}?leg=${leg}`;

  /** Order: method 405, type 415, size 413, signature 403, account 403, CallSid 400. */
  async function verify(c: Context, routePath: string): Promise<VerifiedCall> {
    const params = await readWebhookForm(c.req.raw, carriers.maxBodyBytes);
    const url = signedUrl(twilio.publicUrl, routePath, c.req.url);
    const signature = c.req.header('x-twilio-signature');
    if (!verifyTwilioSignature(twilio.authToken, url, params, signature)) {
      throw new WebhookError(403, 'forbidden_signature', 'invalid signature');
    }
    if (field(params, 'AccountSid') !== twilio.accountSid) {
      throw new WebhookError(403, 'forbidden_account', 'unknown account');
    }
    const callSid = field(params, 'CallSid');
    if (callSid === undefined || !CALL_SID.test(callSid)) {
      throw new WebhookError(400, 'bad_request', 'malformed CallSid');
    }
    return { params, callSid, callerPseudonym: pseudonymizer.pseudonymize(field(params, 'From')) };
  }

  /** Default language first, then the other configured ones in a fixed order. */
  const spoken: SpokenMessage[] = orderLanguages(carriers.language).flatMap((language) => {
    const text = twilio.fallbackMessage[language];
    return text === undefined ? [] : [{ language, text }];
  });

  /**
   * The fallback in every configured language, then the offer to leave a message in the default
   * one: Twilio transcribes a single language per <Gather>.
   */
  const lastResort = (): Served => {
    if (!voicemail) return { xml: messageTwiml(spoken), result: 'fallback_message' };
    const language = carriers.language;
    const prompts = voicemail.config.prompts;
    return {
      xml: messageOfferTwiml({
        messages: spoken,
        offer: { language, text: prompts.offer[language] },
        empty: { language, text: prompts.empty[language] },
        actionUrl: `${twilio.publicUrl}${TWILIO_ROUTES.voicemail}?lang=${language}`,
        speechTimeoutSeconds: Math.ceil(voicemail.config.messageSilenceMs / 1000),
        maxSpeechSeconds: Math.min(60, voicemail.config.maxMessageSeconds),
      }),
      result: 'fallback_voicemail',
    };
  };

  const helpdesk = (): string =>
    dialNumberTwiml({
      number: twilio.helpdeskNumber,
      actionUrl: statusUrl('helpdesk'),
      timeoutSeconds,
    });

  async function voice(c: Context): Promise<Served> {
    const call = await verify(c, TWILIO_ROUTES.voice);
    // The dialled number is the only caller-supplied value that may enter the URI, and only in
    // the E.164 form the pseudonymizer produces.
    const dialled = pseudonymizer.normalize(field(call.params, 'To'));
    const user =
      twilio.sipUser ?? (dialled !== undefined && isE164(dialled) ? dialled : DEFAULT_SIP_USER);
    const sipUri = gatewaySipUri({ profile, domain, user });
    const credentials =
      twilio.sipUsername !== undefined && twilio.sipPassword !== undefined
        ? { username: twilio.sipUsername, password: twilio.sipPassword }
        : undefined;
    logger.info(
      { route: 'twilio_voice', callSid: call.callSid, callerPseudonym: call.callerPseudonym },
      'twilio call routed to the gateway',
    );
    return {
      xml: dialAgentTwiml({ sipUri, actionUrl: statusUrl('agent'), timeoutSeconds, credentials }),
      result: 'ok',
    };
  }

  async function escalate(c: Context): Promise<Served> {
    const call = await verify(c, TWILIO_ROUTES.escalate);
    logger.info(
      { route: 'twilio_escalate', callSid: call.callSid, callerPseudonym: call.callerPseudonym },
      'twilio call escalated to the helpdesk',
    );
    return { xml: helpdesk(), result: 'ok' };
  }

  async function dialStatus(c: Context): Promise<Served> {
    const call = await verify(c, TWILIO_ROUTES.dialStatus);
    const leg = c.req.query('leg') ?? 'agent';
    if (leg !== 'agent' && leg !== 'helpdesk') {
      throw new WebhookError(400, 'bad_request', 'unknown leg');
    }
    const status = field(call.params, 'DialCallStatus') ?? '';
    const log = { route: 'twilio_dial_status', callSid: call.callSid, leg };
    if (DIAL_ENDED.has(status)) {
      logger.info({ ...log, dialStatus: status }, 'dialled leg ended');
      return { xml: hangupTwiml(), result: 'completed' };
    }
    // busy, failed, no-answer, and any status Twilio may add: the caller must not be left
    // without an answer. The helpdesk is dialled once; if it fails too, the message ends the call.
    const dialStatusLabel = /^[a-z-]{1,20}$/.test(status) ? status : 'other';
    if (leg === 'agent' && twilio.fallback === 'helpdesk') {
      logger.warn({ ...log, dialStatus: dialStatusLabel }, 'agent leg failed; dialling helpdesk');
      return { xml: helpdesk(), result: 'fallback_helpdesk' };
    }
    logger.warn({ ...log, dialStatus: dialStatusLabel }, 'dialled leg failed; saying message');
    return lastResort();
  }

  /** Twilio posts the transcribed message here; the text is stored, never logged. */
  const takeMessage =
    (vm: NonNullable<typeof voicemail>) =>
    async (c: Context): Promise<Served> => {
      const call = await verify(c, TWILIO_ROUTES.voicemail);
      const language = c.req.query('lang');
      if (!LANGUAGES.includes(language as Language)) {
        throw new WebhookError(400, 'bad_request', 'unknown language');
      }
      const lang = language as Language;
      const prompts = vm.config.prompts;
      const say = (text: string) => messageTwiml([{ language: lang, text }]);
      const log = { route: 'twilio_voicemail', callSid: call.callSid };
      const text = (field(call.params, 'SpeechResult') ?? '').trim();
      if (text === '') {
        logger.info(log, 'no message heard; nothing stored');
        return { xml: say(prompts.empty[lang]), result: 'voicemail_empty' };
      }
      try {
        const message = await vm.messages.save({
          callId: `twilio:${call.callSid}`,
          ...(call.callerPseudonym ? { pseudonym: call.callerPseudonym } : {}),
          language: lang,
          text,
          reason: 'carrier_fallback',
        });
        logger.info(
          { ...log, messageId: message.id, callerPseudonym: call.callerPseudonym },
          'message taken',
        );
        return { xml: say(prompts.saved[lang]), result: 'voicemail_saved' };
      } catch (err) {
        // The error's name only: a message could carry the caller's words.
        logger.error(
          { ...log, err: err instanceof Error ? err.name : 'unknown' },
          'message not stored',
        );
        return { xml: say(prompts.notSaved[lang]), result: 'voicemail_not_saved' };
      }
    };

  const app = new Hono();
  app.all(TWILIO_ROUTES.voice, webhookHandler('twilio_voice', logger, voice));
  app.all(TWILIO_ROUTES.escalate, webhookHandler('twilio_escalate', logger, escalate));
  app.all(TWILIO_ROUTES.dialStatus, webhookHandler('twilio_dial_status', logger, dialStatus));
  if (voicemail) {
    app.all(
      TWILIO_ROUTES.voicemail,
      webhookHandler('twilio_voicemail', logger, takeMessage(voicemail)),
    );
  }
  return app;
}

type EnabledTwilio = TwilioConfig &
  Required<Pick<TwilioConfig, 'accountSid' | 'authToken' | 'publicUrl' | 'helpdeskNumber'>>;

/** The schema requires these when enabled; checked again so a hand-built config fails loudly. */
function requireEnabled(twilio: TwilioConfig): EnabledTwilio {
  const { accountSid, authToken, publicUrl, helpdeskNumber } = twilio;
  if (
    accountSid === undefined ||
    authToken === undefined ||
    publicUrl === undefined ||
    helpdeskNumber === undefined
  ) {
    throw new Error(
      'carriers.twilio is enabled but accountSid, authToken, publicUrl or helpdeskNumber is missing',
    );
  }
  return { ...twilio, accountSid, authToken, publicUrl, helpdeskNumber };
}

function orderLanguages(first: Language): Language[] {
  return [first, ...LANGUAGES.filter((l) => l !== first)];
}
