import type { AudioFrame } from '@livekit/rtc-node';
import { rejectionPrompt, type AdmissionConfig, type RejectionReason } from '../admission/index.js';
import type { Language } from './config.js';
import { EspeakTTS } from './engines/espeak-tts.js';
import { lineAudio, type LineAudio } from './line-audio.js';

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
 * milliseconds) and kept for the process. Synthesising all eight inside prewarm made every job
 * process ~360 ms slower to become ready, which a burst of callers waits for; `prefetchRejections`
 * fills them in the background once the process is warm. A refused caller costs no vendor money.
 */
export function rejectionAudio(admission: AdmissionConfig, lines: LineAudio): RejectionAudio {
  return async (reason, language) => {
    const text = rejectionPrompt(admission, reason, language);
    return { text, frames: await lines.get(text, language) };
  };
}

/**
 * Synthesises both prompts in the deployment's default language, in the background of a warm
 * process; the other languages are synthesised when a refusal needs them (about 30 ms). All eight
 * in every process cost a burst, whose replacement processes warm up while it runs, enough CPU to
 * make the refused callers' prompts choppy.
 */
export async function prefetchRejections(audio: RejectionAudio, language: Language): Promise<void> {
  for (const reason of REJECTION_REASONS) await audio(reason, language).catch(() => undefined);
}

/** The refusals' voice: always offline, because a refusal must cost no vendor money. */
export function refusalLines(voices: Record<Language, string>): LineAudio {
  return lineAudio((language) => new EspeakTTS({ language, voices }));
}

export const REJECTION_REASONS = [
  'rate_limited',
  'over_capacity',
] as const satisfies readonly RejectionReason[];
