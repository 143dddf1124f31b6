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
