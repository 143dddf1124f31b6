/**
 * Vendor delay profiles for the stand-ins (SPEC, Performance targets). `zero` adds nothing;
 * `flash` is a fast cloud chain: the STT final 150 ms after the end of speech, the LLM's first
 * token 300 ms after the request, the TTS's first audio 100 ms after the text. The jitter is drawn
 * from each stand-in's seeded generator, so every run sees the same sequence.
 */
import type { DeepgramDelays, ElevenLabsDelays, OpenAIDelays } from '../standins/index.js';

export type ProfileName = 'zero' | 'flash';

export interface Profile {
  name: ProfileName;
  deepgram: DeepgramDelays;
  openai: OpenAIDelays;
  elevenlabs: ElevenLabsDelays;
  /** STT + LLM first token + TTS first byte, nominal: the vendors' share of a turn gap. */
  chainMs: number;
}

export const PROFILES: Record<ProfileName, Profile> = {
  zero: { name: 'zero', deepgram: {}, openai: {}, elevenlabs: {}, chainMs: 0 },
  flash: {
    name: 'flash',
    deepgram: { finalAfterSpeechEndMs: { meanMs: 150, jitterMs: 20 } },
    openai: { firstTokenMs: { meanMs: 300, jitterMs: 40 } },
    elevenlabs: { firstByteMs: { meanMs: 100, jitterMs: 15 } },
    chainMs: 150 + 300 + 100,
  },
};

export function parseProfiles(list: string): Profile[] {
  return list.split(',').map((name) => {
    const profile = PROFILES[name.trim() as ProfileName];
    if (!profile) throw new Error(`unknown profile "${name}": zero or flash`);
    return profile;
  });
}
