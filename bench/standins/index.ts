/**
 * Local stand-ins for the cloud vendors, speaking their real wire protocols closely enough that
 * the official LiveKit plugins run against them unchanged. Each listens on 127.0.0.1, counts its
 * connections, records requests, and draws its delays from a seeded generator.
 */
export {
  start as startDeepgram,
  type DeepgramStandin,
  type DeepgramScriptItem,
  type DeepgramDelays,
} from './deepgram.js';
export {
  start as startOpenAI,
  type OpenAIStandin,
  type OpenAIScriptItem,
  type OpenAIDelays,
} from './openai.js';
export {
  start as startElevenLabs,
  type ElevenLabsStandin,
  type ElevenLabsDelays,
} from './elevenlabs.js';
export type { DelaySpec, StandinHandle, StandinRequest, StandinEvent } from './common.js';
export { voiceLikePcm, pcmRms } from './common.js';
