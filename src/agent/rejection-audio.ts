import type { AudioFrame } from '@livekit/rtc-node';
import { rejectionPrompt, type AdmissionConfig, type RejectionReason } from '../admission/index.js';
import type { Language } from './config.js';
import { EspeakTTS } from './engines/espeak-tts.js';

export interface RejectionPromptAudio {
  text: string;
  frames: AudioFrame[];
}

/** The prompt a refused caller hears, as audio. */
export type RejectionAudio = (
  reason: RejectionReason,
  language: Language,
) => Promise<RejectionPromptAudio>;

/**
 * Rejection prompts, synthesised with the offline TTS when a call first needs one (tens of
 * milliseconds) and kept for the process. Synthesising all eight up front made every job
 * process's prewarm ~360 ms longer, which a burst of callers waits for. A refused caller costs
 * no vendor money.
 */
export function rejectionAudio(
  admission: AdmissionConfig,
  voices: Record<Language, string>,
): RejectionAudio {
  const cache = new Map<string, Promise<RejectionPromptAudio>>();
  return (reason, language) => {
    const key = `${reason}:${language}`;
    let audio = cache.get(key);
    if (!audio) {
      audio = synthesize(rejectionPrompt(admission, reason, language), language, voices);
      cache.set(key, audio);
    }
    return audio;
  };
}

async function synthesize(
  text: string,
  language: Language,
  voices: Record<Language, string>,
): Promise<RejectionPromptAudio> {
  const frames: AudioFrame[] = [];
  for await (const chunk of new EspeakTTS({ language, voices }).synthesize(text))
    frames.push(chunk.frame);
  return { text, frames };
}
