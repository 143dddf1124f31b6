import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { engineKeyProblems, type EnginesConfig } from './config.js';

/** What decides which cloud engines a call needs. */
export interface CloudEngineConfig {
  engines: EnginesConfig;
  brain: { kind: 'rules' | 'llm' | 'backend' };
}

/**
 * Plugin instances for the cloud providers in config, and nothing for offline ones. Always
 * instances, never model strings: a string such as 'deepgram/nova-3' is routed to LiveKit Cloud.
 * Constructing them opens no connection; the first stream does.
 */
export interface CloudEngines {
  stt?: deepgram.STT;
  llm?: openai.LLM;
  tts?: elevenlabs.TTS;
}

export class EngineKeyError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`cloud engines are missing their keys:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EngineKeyError';
    this.problems = problems;
  }
}

/** Start-up errors, one sentence each, naming the config field and how to set it. */
export function checkEngineKeys(config: CloudEngineConfig): string[] {
  return engineKeyProblems(config.engines, { llm: config.brain.kind === 'llm' }).map(
    (p) => `agent.engines.${p.path.join('.')} is ${p.message}`,
  );
}

/**
 * Builds the cloud engines the config asks for. Throws EngineKeyError when a key is missing, so a
 * misconfigured worker fails before it takes a call. `language` (nl, fr, en, de) pins the TTS
 * language for this call; the STT language comes from config (`multi` follows the caller).
 */
export function createCloudEngines(
  config: CloudEngineConfig,
  opts: { language?: string } = {},
): CloudEngines {
  const problems = checkEngineKeys(config);
  if (problems.length > 0) throw new EngineKeyError(problems);
  const { stt, llm, tts } = config.engines;
  const engines: CloudEngines = {};
  if (stt.provider === 'deepgram') {
    const dg = stt.deepgram;
    engines.stt = new deepgram.STT({
      apiKey: dg.apiKey,
      baseUrl: dg.baseUrl.replace(/\/+$/, ''),
      model: dg.model,
      language: dg.language,
      interimResults: true,
      endpointing: dg.endpointingMs,
      keyterm: dg.keyterms,
      mipOptOut: dg.mipOptOut,
      sampleRate: 16000,
    });
  }
  if (config.brain.kind === 'llm') {
    const oa = llm.openai;
    engines.llm = new openai.LLM({
      apiKey: oa.apiKey,
      // Explicit, so OPENAI_BASE_URL in the environment can never redirect the calls.
      baseURL: oa.baseUrl.replace(/\/+$/, ''),
      model: oa.model,
      ...(oa.temperature !== undefined ? { temperature: oa.temperature } : {}),
      // A hand-off and an end_call in one response would race each other.
      parallelToolCalls: false,
      store: false,
    });
  }
  if (tts.provider === 'elevenlabs') {
    const el = tts.elevenlabs;
    engines.tts = new elevenlabs.TTS({
      apiKey: el.apiKey,
      baseURL: el.baseUrl.replace(/\/+$/, ''),
      voiceId: el.voiceId,
      model: el.model,
      encoding: el.encoding,
      enableLogging: !el.zeroRetention,
      ...(opts.language ? { language: opts.language } : {}),
    });
  }
  return engines;
}
