import twilio from 'twilio';
import type { Language } from '../common/index.js';
import { xmlSafe } from './xml-text.js';

const { VoiceResponse } = twilio.twiml;
/** Languages of Twilio's <Say> that we use (a subset of the SDK's SayLanguage). */
type SayLanguage = 'nl-NL' | 'fr-FR' | 'en-GB' | 'de-DE';

/** Twilio <Gather> speech-recognition language per line language (Belgian Dutch exists). */
const GATHER_LANGUAGE: Record<Language, 'nl-BE' | 'fr-FR' | 'en-GB' | 'de-DE'> = {
  nl: 'nl-BE',
  fr: 'fr-FR',
  en: 'en-GB',
  de: 'de-DE',
};

/** Twilio <Say> language per line language; standard voices exist for all four. */
const SAY_LANGUAGE: Record<Language, SayLanguage> = {
  nl: 'nl-NL',
  fr: 'fr-FR',
  en: 'en-GB',
  de: 'de-DE',
};

export interface SpokenMessage {
  language: Language;
  text: string;
}

export interface DialAgentTwiml {
  sipUri: string;
  actionUrl: string;
  timeoutSeconds: number;
  credentials?: { username: string; password: string };
}

/**
 * `<Dial action><Sip>`. answerOnBridge keeps the caller hearing ringback until the agent answers:
 * livekit-sip only answers once the agent subscribes, and the caller's call is not billed as
 * answered before that.
 */
export function dialAgentTwiml({
  sipUri,
  actionUrl,
  timeoutSeconds,
  credentials,
}: DialAgentTwiml): string {
  const response = new VoiceResponse();
  const dial = response.dial({
    action: xmlSafe(actionUrl),
    method: 'POST',
    answerOnBridge: true,
    timeout: timeoutSeconds,
  });
  const attributes = credentials
    ? { username: xmlSafe(credentials.username), password: xmlSafe(credentials.password) }
    : {};
  dial.sip(attributes, xmlSafe(sipUri));
  return response.toString();
}

export interface DialNumberTwiml {
  number: string;
  actionUrl: string;
  timeoutSeconds: number;
}

/** `<Dial action>+E164</Dial>`: the helpdesk; the action lets a failed helpdesk leg end in the message. */
export function dialNumberTwiml({ number, actionUrl, timeoutSeconds }: DialNumberTwiml): string {
  const response = new VoiceResponse();
  response.dial(
    { action: xmlSafe(actionUrl), method: 'POST', timeout: timeoutSeconds },
    xmlSafe(number),
  );
  return response.toString();
}

/** Each message in its language, then hang up: the last resort when nobody can take the call. */
export function messageTwiml(messages: SpokenMessage[]): string {
  const response = new VoiceResponse();
  for (const { language, text } of messages) {
    response.say({ language: SAY_LANGUAGE[language] }, xmlSafe(text));
  }
  response.hangup();
  return response.toString();
}

export interface MessageOfferTwiml {
  /** Said first: why nobody takes the call (every configured language). */
  messages: SpokenMessage[];
  /** The offer to leave a message, in the language Twilio will transcribe. */
  offer: SpokenMessage;
  /** Said if Twilio falls through the <Gather> without calling the action. */
  empty: SpokenMessage;
  actionUrl: string;
  /** Seconds of silence that end the message. */
  speechTimeoutSeconds: number;
  /** Longest message Twilio transcribes (its <Gather> caps this at 60). */
  maxSpeechSeconds: number;
}

/**
 * The messages, then `<Gather input="speech">`: Twilio transcribes what the caller says and posts
 * the text to the action. No <Record>: no audio exists on our side or Twilio's.
 */
export function messageOfferTwiml(opts: MessageOfferTwiml): string {
  const response = new VoiceResponse();
  for (const { language, text } of opts.messages) {
    response.say({ language: SAY_LANGUAGE[language] }, xmlSafe(text));
  }
  const gather = response.gather({
    input: ['speech'],
    language: GATHER_LANGUAGE[opts.offer.language],
    action: xmlSafe(opts.actionUrl),
    method: 'POST',
    speechTimeout: String(opts.speechTimeoutSeconds),
    maxSpeechTime: opts.maxSpeechSeconds,
    timeout: 5,
    actionOnEmptyResult: true,
  });
  gather.say({ language: SAY_LANGUAGE[opts.offer.language] }, xmlSafe(opts.offer.text));
  response.say({ language: SAY_LANGUAGE[opts.empty.language] }, xmlSafe(opts.empty.text));
  response.hangup();
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}
