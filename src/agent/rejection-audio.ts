import type { AudioFrame } from '@livekit/rtc-node';
import {
  allRejectionPrompts,
  type AdmissionConfig,
  type RejectionReason,
} from '../admission/index.js';
import type { Language } from './config.js';
import { EspeakTTS } from './engines/espeak-tts.js';

export type RejectionAudio = Map<string, { text: string; frames: AudioFrame[] }>;

const key = (reason: RejectionReason, language: Language) => `${reason}:${language}`;

/**
 * Every rejection prompt, synthesised once per job process with the offline TTS, so a refused
 * caller costs no vendor money and hears it without delay.
 */
export async function synthesizeRejections(
  admission: AdmissionConfig,
  voices: Record<Language, string>,
): Promise<RejectionAudio> {
  const out: RejectionAudio = new Map();
  for (const { reason, language, text } of allRejectionPrompts(admission)) {
    const frames: AudioFrame[] = [];
    for await (const chunk of new EspeakTTS({ language, voices }).synthesize(text))
      frames.push(chunk.frame);
    out.set(key(reason, language), { text, frames });
  }
  return out;
}

export function rejectionFor(audio: RejectionAudio, reason: RejectionReason, language: Language) {
  return audio.get(key(reason, language));
}

/** The caller's likely language from the country code; Belgium (nl/fr/de) keeps the line's default. */
export function languageForNumber(e164: string | undefined, fallback: Language): Language {
  if (!e164) return fallback;
  if (/^\+(33|352|377)/.test(e164)) return 'fr';
  if (/^\+31/.test(e164)) return 'nl';
  if (/^\+(49|43|423)/.test(e164)) return 'de';
  if (/^\+(44|1|353)/.test(e164)) return 'en';
  return fallback;
}
