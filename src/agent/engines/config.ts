import { pocketsphinxConfigSchema } from './pocketsphinx-config.js';
import { z } from 'zod';
import { isLoopbackUrl } from '../../common/index.js';

const vendorUrl = (secure: 'https' | 'wss') => {
  const plain = secure === 'https' ? 'http' : 'ws';
  return z
    .string()
    .url()
    .refine(
      (u) => u.startsWith(`${secure}://`) || u.startsWith(`${plain}://`),
      `use a ${secure}:// URL`,
    )
    .refine(
      (u) => !u.startsWith(`${plain}://`) || isLoopbackUrl(u),
      `use ${secure}://; ${plain}:// is only for stand-ins on 127.0.0.1, since the key would travel in clear text`,
    );
};
const httpUrl = vendorUrl('https');
const wsUrl = vendorUrl('wss');

/** A secret; `${ENV}` references are resolved by the loader. Empty means "not set". */
const apiKey = z.string().optional();

const deepgramSchema = z
  .object({
    apiKey,
    /** The plugin appends /v1/listen. Point it at a local stand-in in tests. */
    baseUrl: wsUrl.default('wss://api.deepgram.com'),
    model: z.string().min(1).default('nova-3'),
    /** `multi` lets Nova-3 follow a caller who speaks nl, fr, en or de (code-switching included). */
    language: z.string().min(2).default('multi'),
    /** Silence (ms) Deepgram waits before it marks a result `speech_final`. */
    endpointingMs: z.number().int().min(10).max(5000).default(25),
    /** Domain words Nova-3 should favour (department names, drug names). */
    keyterms: z.array(z.string().min(1)).max(100).default([]),
    /** Opt out of Deepgram's model improvement programme: no caller audio kept for training. */
    mipOptOut: z.boolean().default(true),
  })
  .strict();

const openaiSchema = z
  .object({
    apiKey,
    /** Always set explicitly: left out, the OpenAI client would read OPENAI_BASE_URL. */
    baseUrl: httpUrl.default('https://api.openai.com/v1'),
    model: z.string().min(1).default('gpt-4.1'),
    temperature: z.number().min(0).max(2).optional(),
  })
  .strict();

const elevenlabsSchema = z
  .object({
    apiKey,
    /** The plugin derives wss://…/text-to-speech/{voice}/multi-stream-input from it. */
    baseUrl: httpUrl.default('https://api.elevenlabs.io/v1'),
    voiceId: z.string().min(1).default('bIHbv24MWmeRgasZH58o'),
    /** A Flash model keeps time to first byte low; it speaks nl, fr, en and de. */
    model: z.string().min(1).default('eleven_flash_v2_5'),
    /** A phone line carries at most 16 kHz (G.722); more is resampled away. */
    encoding: z.enum(['pcm_16000', 'pcm_22050', 'pcm_44100']).default('pcm_16000'),
    /** Sends enable_logging=false (zero retention). ElevenLabs allows it on enterprise plans only. */
    zeroRetention: z.boolean().default(false),
  })
  .strict();

const espeakVoicesSchema = z
  .object({
    nl: z.string().min(1).default('nl'),
    fr: z.string().min(1).default('fr-be'),
    en: z.string().min(1).default('en'),
    de: z.string().min(1).default('de'),
  })
  .strict();

export const sttConfigSchema = z
  .object({
    provider: z.enum(['offline', 'deepgram']).default('offline'),
    deepgram: deepgramSchema.default({}),
    /** pocketsphinx, used when provider is offline. */
    offline: pocketsphinxConfigSchema.default({}),
  })
  .strict();

export const llmEngineConfigSchema = z
  .object({
    /** Used only when agent.brain.kind is llm. */
    provider: z.literal('openai').default('openai'),
    openai: openaiSchema.default({}),
  })
  .strict();

export const ttsConfigSchema = z
  .object({
    provider: z.enum(['offline', 'elevenlabs']).default('offline'),
    elevenlabs: elevenlabsSchema.default({}),
    offline: z
      .object({
        /** espeak-ng voice per language (`espeak-ng --voices` lists them). */
        voices: espeakVoicesSchema.default({}),
        /** Words per minute. */
        rate: z.number().int().min(80).max(450).default(165),
      })
      .strict()
      .default({}),
  })
  .strict();

/** Config of the agent's engines (offline or cloud STT, LLM, TTS). Offline unless told otherwise. */
export const enginesConfigSchema = z
  .object({
    stt: sttConfigSchema.default({}),
    llm: llmEngineConfigSchema.default({}),
    tts: ttsConfigSchema.default({}),
  })
  .strict()
  .superRefine((engines, ctx) => {
    for (const problem of engineKeyProblems(engines, { llm: false })) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: problem.path, message: problem.message });
    }
  });

export type EnginesConfig = z.infer<typeof enginesConfigSchema>;

export interface EngineKeyProblem {
  /** Path inside `agent.engines`. */
  path: string[];
  message: string;
}

/**
 * Cloud engines whose key is missing. A missing key must stop the start-up, never surface in the
 * middle of a call. `llm` says whether the LLM engine is in use (agent.brain.kind is llm), which
 * this slice cannot see by itself.
 */
export function engineKeyProblems(
  engines: EnginesConfig,
  use: { llm: boolean },
): EngineKeyProblem[] {
  const problems: EngineKeyProblem[] = [];
  const missing = (key: string | undefined) => key === undefined || key.trim() === '';
  if (engines.stt.provider === 'deepgram' && missing(engines.stt.deepgram.apiKey)) {
    problems.push({
      path: ['stt', 'deepgram', 'apiKey'],
      message:
        'required when agent.engines.stt.provider is deepgram; set it to ${DEEPGRAM_API_KEY}, or use provider offline',
    });
  }
  if (use.llm && missing(engines.llm.openai.apiKey)) {
    problems.push({
      path: ['llm', 'openai', 'apiKey'],
      message:
        'required when agent.brain.kind is llm; set it to ${OPENAI_API_KEY}, or use brain kind rules or backend',
    });
  }
  if (engines.tts.provider === 'elevenlabs' && missing(engines.tts.elevenlabs.apiKey)) {
    problems.push({
      path: ['tts', 'elevenlabs', 'apiKey'],
      message:
        'required when agent.engines.tts.provider is elevenlabs; set it to ${ELEVEN_API_KEY}, or use provider offline',
    });
  }
  return problems;
}

/**
 * Cross-slice check for schema.ts: the OpenAI key is needed only when the brain is the LLM.
 * (STT and TTS keys are checked by the slice itself.)
 */
export function checkEngineKeysForBrain(
  config: { agent: { engines: EnginesConfig; brain: { kind: string } } },
  ctx: z.RefinementCtx,
): void {
  if (config.agent.brain.kind !== 'llm') return;
  for (const problem of engineKeyProblems(config.agent.engines, { llm: true })) {
    if (problem.path[0] !== 'llm') continue;
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['agent', 'engines', ...problem.path],
      message: problem.message,
    });
  }
}
