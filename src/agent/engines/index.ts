import { inference, stt as agentsStt, type llm, type tts } from '@livekit/agents';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import type { SwitchboardConfig } from '../../config/index.js';
import type { Logger } from '../../telemetry/index.js';
import { vadSilenceMs, type Language } from '../config.js';
import { createCloudEngines } from './cloud.js';
import { EspeakTTS } from './espeak-tts.js';
import { createPocketsphinxSTT, type PocketsphinxSTT } from './pocketsphinx-stt.js';

export { checkEngineKeys, createCloudEngines, EngineKeyError } from './cloud.js';
export { EspeakTTS } from './espeak-tts.js';

export interface CallEngines {
  stt: agentsStt.STT;
  tts: tts.TTS;
  /** Only for the llm brain; the backend brain brings its own LLM. */
  llm?: llm.LLM;
  vad: inference.VAD;
  /** The voice follows the caller's language for every later utterance. */
  setLanguage(language: Language): void;
  /** Releases what the engines hold (the offline grammar's temp dir). */
  close(): Promise<void>;
}

/** The agent's voice as the config asks for it: the cloud TTS, or espeak-ng offline. */
export function createTts(config: SwitchboardConfig, language: Language): tts.TTS {
  return createCloudEngines(config.agent, { language }).tts ?? offlineTts(config, language);
}

function offlineTts(config: SwitchboardConfig, language: Language): EspeakTTS {
  const { voices, rate } = config.agent.engines.tts.offline;
  return new EspeakTTS({ language, voices, rate });
}

/** VAD tuned for telephone audio: speech ends after `silenceMs` of silence. */
export function createVad(silenceMs: number): inference.VAD {
  return new inference.VAD({ minSilenceDuration: silenceMs, minSpeechDuration: 100 });
}

/** What a job process builds before its call rings: the VAD and, offline, the recogniser's grammar. */
export interface OfflineParts {
  vad: inference.VAD;
  sphinx?: PocketsphinxSTT;
}

/** `phrases`: what the offline recogniser's grammar accepts (classifier phrases, FAQ keywords). */
export async function prepareOfflineParts(
  config: SwitchboardConfig,
  phrases: string[],
  logger: Logger,
): Promise<OfflineParts> {
  const { agent } = config;
  const vad = createVad(vadSilenceMs(agent));
  if (agent.engines.stt.provider !== 'offline') return { vad };
  return {
    vad,
    sphinx: await createPocketsphinxSTT({ config: agent.engines.stt.offline, phrases, logger }),
  };
}

/**
 * The engines of one call, built only after admission so a rejected call costs nothing. Cloud
 * engines are plugin instances with configured base URLs, never model strings (those would go to
 * LiveKit Cloud Inference).
 */
export function createCallEngines(
  config: SwitchboardConfig,
  language: Language,
  offline: OfflineParts,
): CallEngines {
  const cloud = createCloudEngines(config.agent, { language });
  const { vad, sphinx } = offline;
  // The offline recogniser is not streaming: the VAD cuts the audio into turns for it.
  const stt = cloud.stt ?? new agentsStt.StreamAdapter(sphinx!, vad);
  const tts = cloud.tts ?? offlineTts(config, language);
  // The vendor's streaming connection opens now, while the session starts, not at the first reply.
  if (tts instanceof elevenlabs.TTS) void tts.currentConnection().catch(() => undefined);
  return {
    stt,
    tts,
    llm: cloud.llm,
    vad,
    // ElevenLabs reconnects with the new language_code; espeak-ng switches voice.
    setLanguage: (next) => tts.updateOptions({ language: next }),
    // The adapter does not close the STT it wraps; the session does not close the TTS (nor the
    // connection opened above, which would otherwise idle for minutes).
    close: async () => {
      await sphinx?.close();
      await tts.close();
    },
  };
}
