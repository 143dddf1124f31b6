import { llm, stt, tts } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pcmRms,
  startDeepgram,
  startElevenLabs,
  startOpenAI,
  voiceLikePcm,
} from '../../../bench/standins/index.js';
import { createLlmBrainTools } from '../brains/llm.js';
import {
  checkEngineKeys,
  createCloudEngines,
  EngineKeyError,
  type CloudEngineConfig,
} from './cloud.js';
import { enginesConfigSchema } from './config.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()?.();
});

function config(
  engines: unknown,
  kind: CloudEngineConfig['brain']['kind'] = 'rules',
): CloudEngineConfig {
  return { engines: enginesConfigSchema.parse(engines), brain: { kind } };
}

function frames(pcm: Buffer, sampleRate: number): AudioFrame[] {
  const samples = sampleRate / 100;
  const out: AudioFrame[] = [];
  for (let at = 0; at + samples * 2 <= pcm.length; at += samples * 2) {
    const data = new Int16Array(samples);
    for (let i = 0; i < samples; i++) data[i] = pcm.readInt16LE(at + i * 2);
    out.push(new AudioFrame(data, sampleRate, 1, samples));
  }
  return out;
}

describe('checkEngineKeys', () => {
  it('names the field, the condition and the env reference for every missing key', () => {
    const cfg = {
      engines: enginesConfigSchema.parse({}),
      brain: { kind: 'llm' as const },
    };
    cfg.engines.stt.provider = 'deepgram';
    cfg.engines.tts.provider = 'elevenlabs';
    expect(checkEngineKeys(cfg)).toEqual([
      'agent.engines.stt.deepgram.apiKey is required when agent.engines.stt.provider is deepgram; set it to ${DEEPGRAM_API_KEY}, or use provider offline',
      'agent.engines.llm.openai.apiKey is required when agent.brain.kind is llm; set it to ${OPENAI_API_KEY}, or use brain kind rules or backend',
      'agent.engines.tts.elevenlabs.apiKey is required when agent.engines.tts.provider is elevenlabs; set it to ${ELEVEN_API_KEY}, or use provider offline',
    ]);
    expect(() => createCloudEngines(cfg)).toThrow(EngineKeyError);
  });

  it('refuses at config load a cloud STT or TTS without its key, and accepts the offline defaults', () => {
    expect(enginesConfigSchema.safeParse({}).success).toBe(true);
    const result = enginesConfigSchema.safeParse({
      stt: { provider: 'deepgram', deepgram: { apiKey: '' } },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['stt', 'deepgram', 'apiKey']);
  });

  it('refuses plain-text vendor URLs except for stand-ins on loopback', () => {
    const at = (baseUrl: string) =>
      enginesConfigSchema.safeParse({
        stt: { provider: 'deepgram', deepgram: { apiKey: 'k', baseUrl } },
      });
    expect(at('ws://127.0.0.1:9000').success).toBe(true);
    expect(at('wss://dg.example').success).toBe(true);
    expect(at('ws://dg.example').error?.issues[0]?.message).toMatch(
      /^use wss:\/\/; ws:\/\/ is only for stand-ins/,
    );
  });

  it('builds nothing for the offline defaults and the rules brain', () => {
    expect(createCloudEngines(config({}))).toEqual({});
  });
});

describe('cloud engines against the vendor stand-ins', () => {
  it('Deepgram STT yields the scripted final transcript from pushed PCM', async () => {
    const standin = await startDeepgram({
      apiKey: 'dg-key',
      script: [{ transcript: 'Ik wil met een mens praten', language: 'nl' }],
      delays: { seed: 7, finalMs: { meanMs: 20, jitterMs: 5 } },
    });
    stops.push(() => standin.stop());
    const { stt: engine } = createCloudEngines(
      config({
        stt: { provider: 'deepgram', deepgram: { apiKey: 'dg-key', baseUrl: standin.url } },
      }),
    );
    expect(engine).toBeDefined();
    expect(standin.connections).toBe(0);
    const stream = engine!.stream();
    const audio = Buffer.concat([
      Buffer.alloc(6400),
      voiceLikePcm(16000, 12800),
      Buffer.alloc(12800),
    ]);
    for (const frame of frames(audio, 16000)) stream.pushFrame(frame);

    const seen: stt.SpeechEventType[] = [];
    let final: stt.SpeechEvent | undefined;
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === stt.SpeechEventType.FINAL_TRANSCRIPT) {
        final = event;
        break;
      }
    }
    stream.close();
    expect(final?.alternatives?.[0]?.text).toBe('Ik wil met een mens praten');
    expect(final?.alternatives?.[0]?.language).toBe('nl');
    expect(seen).toContain(stt.SpeechEventType.START_OF_SPEECH);
    expect(seen).toContain(stt.SpeechEventType.INTERIM_TRANSCRIPT);
    const upgrade = standin.requests[0];
    expect(upgrade?.authorized).toBe(true);
    expect(upgrade?.query).toMatchObject({
      model: 'nova-3',
      language: 'multi',
      encoding: 'linear16',
      sample_rate: '16000',
      mip_opt_out: 'true',
    });
  });

  it('OpenAI LLM streams scripted text, then a scripted tool call', async () => {
    const standin = await startOpenAI({
      apiKey: 'oa-key',
      script: [
        { text: 'Good morning, how can I help?' },
        { toolCall: { name: 'transfer_to_helpdesk', arguments: { target: '+44 900 000 000' } } },
      ],
    });
    stops.push(() => standin.stop());
    const { llm: engine } = createCloudEngines(
      config({ llm: { openai: { apiKey: 'oa-key', baseUrl: standin.url } } }, 'llm'),
    );
    const tools = createLlmBrainTools({ onTransfer: () => undefined, onEndCall: () => undefined });
    const chatCtx = llm.ChatContext.empty();
    chatCtx.addMessage({ role: 'user', content: 'Hello' });

    const first = await engine!.chat({ chatCtx, toolCtx: tools }).collect();
    expect(first.text).toBe('Good morning, how can I help?');
    expect(first.toolCalls).toHaveLength(0);

    const second = await engine!.chat({ chatCtx, toolCtx: tools }).collect();
    expect(second.toolCalls.map((c) => [c.name, JSON.parse(c.args)])).toEqual([
      ['transfer_to_helpdesk', { target: '+44 900 000 000' }],
    ]);
    const body = standin.requests.at(-1)?.body as {
      model: string;
      tools: Array<{ function: { name: string } }>;
    };
    expect(body.model).toBe('gpt-4.1');
    expect(body.tools.map((t) => t.function.name).sort()).toEqual([
      'end_call',
      'transfer_to_helpdesk',
    ]);
  });

  it('ElevenLabs TTS streams non-silent PCM frames in the configured format', async () => {
    const standin = await startElevenLabs({ apiKey: 'el-key', delays: { firstByteMs: 10 } });
    stops.push(() => standin.stop());
    const { tts: engine } = createCloudEngines(
      config({
        tts: { provider: 'elevenlabs', elevenlabs: { apiKey: 'el-key', baseUrl: standin.url } },
      }),
      { language: 'fr' },
    );
    stops.push(() => engine!.close());
    const stream = engine!.stream();
    stream.pushText('Bonjour, je vous écoute. ');
    stream.flush();
    stream.endInput();
    const pcm: Buffer[] = [];
    for await (const audio of stream) {
      if (audio === tts.SynthesizeStream.END_OF_STREAM) break;
      const frame = audio.frame;
      expect(frame.sampleRate).toBe(16000);
      pcm.push(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength));
      if (audio.final) break;
    }
    const all = Buffer.concat(pcm);
    expect(all.length / 2 / 16000).toBeGreaterThan(0.5);
    expect(pcmRms(all)).toBeGreaterThan(0.05);
    expect(standin.requests[0]?.path).toBe(
      '/v1/text-to-speech/bIHbv24MWmeRgasZH58o/multi-stream-input',
    );
    expect(standin.requests[0]?.query).toMatchObject({
      model_id: 'eleven_flash_v2_5',
      output_format: 'pcm_16000',
      language_code: 'fr',
    });
  });
});
