import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDelayPicker, pcmRms, voiceLikePcm } from './common.js';
import { startDeepgram, startElevenLabs, startOpenAI } from './index.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()?.();
});

function open(
  url: string,
  headers: Record<string, string>,
): Promise<{ ws: WebSocket; messages: Array<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('seeded delays', () => {
  it('repeat exactly for one seed and differ for another', () => {
    const spec = { meanMs: 100, jitterMs: 40 };
    const draw = (seed: number) => {
      const pick = createDelayPicker(seed);
      return Array.from({ length: 20 }, () => pick(spec));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    for (const ms of draw(42)) {
      expect(ms).toBeGreaterThanOrEqual(60);
      expect(ms).toBeLessThanOrEqual(140);
    }
  });
});

describe('Deepgram stand-in', () => {
  it('refuses a wrong token with 401 and still counts the connection', async () => {
    const dg = await startDeepgram({ apiKey: 'right' });
    stops.push(() => dg.stop());
    await expect(
      open(`${dg.url}/v1/listen?encoding=linear16&sample_rate=16000`, {
        Authorization: 'Token wrong',
      }),
    ).rejects.toThrow(/401/);
    expect(dg.connections).toBe(1);
    expect(dg.requests[0]?.authorized).toBe(false);
  });

  it('answers each utterance with the next script item, per language, and honours Finalize', async () => {
    const dg = await startDeepgram({
      script: [
        { transcript: 'je voudrais parler à quelqu’un', language: 'fr' },
        { transcript: 'ich möchte mit einem Menschen sprechen', language: 'de' },
      ],
      delays: { seed: 3, finalMs: { meanMs: 30, jitterMs: 10 } },
    });
    stops.push(() => dg.stop());
    const { ws, messages } = await open(
      `${dg.url}/v1/listen?encoding=linear16&sample_rate=16000&channels=1&language=multi&interim_results=true&vad_events=true`,
      { Authorization: 'Token any' },
    );
    ws.send(Buffer.concat([voiceLikePcm(16000, 8000), Buffer.alloc(9600)]));
    ws.send(voiceLikePcm(16000, 4000));
    ws.send(JSON.stringify({ type: 'Finalize' }));
    const finals = () => messages.filter((m) => m.type === 'Results' && m.is_final === true);
    await until(() => finals().length === 2);
    const alt = (m: Record<string, unknown>) =>
      (m.channel as { alternatives: Array<{ transcript: string; languages: string[] }> })
        .alternatives[0]!;
    expect(finals().map((m) => [alt(m).transcript, alt(m).languages[0], m.from_finalize])).toEqual([
      ['je voudrais parler à quelqu’un', 'fr', false],
      ['ich möchte mit einem Menschen sprechen', 'de', true],
    ]);
    expect(messages.filter((m) => m.type === 'SpeechStarted')).toHaveLength(2);
    const firstFinal = messages.findIndex((m) => m.is_final === true);
    expect(
      messages.slice(0, firstFinal).some((m) => m.type === 'Results' && m.is_final === false),
    ).toBe(true);
    const pick = createDelayPicker(3);
    const expected = [pick({ meanMs: 30, jitterMs: 10 }), pick({ meanMs: 30, jitterMs: 10 })];
    expect(dg.events.filter((e) => e.kind === 'final').map((e) => e.delayMs)).toEqual(expected);
    expect(dg.remaining()).toBe(0);
    ws.close();
  });

  it('times a final from the end of speech when asked, counting audio already past', async () => {
    const dg = await startDeepgram({
      endpointingMs: 80,
      script: [{ transcript: 'one', language: 'en' }],
    });
    stops.push(() => dg.stop());
    dg.setDelays({ finalAfterSpeechEndMs: 150 });
    const { ws, messages } = await open(
      `${dg.url}/v1/listen?encoding=linear16&sample_rate=16000&channels=1`,
      { Authorization: 'Token any' },
    );
    // 0.5 s of voice, then 100 ms of silence in one chunk: the endpoint (80 ms of silence) is
    // read 20 ms before the chunk's end, so 100 ms of the 150 are past and 50 remain.
    ws.send(Buffer.concat([voiceLikePcm(16000, 8000), Buffer.alloc(3200)]));
    await until(() => messages.some((m) => m.is_final === true));
    const final = dg.events.find((e) => e.kind === 'final');
    expect(final?.delayMs).toBe(50);
    expect(final?.detail?.afterSpeechEndMs).toBe(150);
    // Silence that arrived long after the endpoint was due (a late chunk): sent at once.
    dg.setScript([{ transcript: 'two', language: 'en' }]);
    ws.send(Buffer.concat([voiceLikePcm(16000, 8000), Buffer.alloc(9600)]));
    await until(() => dg.events.filter((e) => e.kind === 'final').length === 2);
    expect(dg.events.filter((e) => e.kind === 'final')[1]?.delayMs).toBe(0);
    ws.close();
  });
});

describe('OpenAI stand-in', () => {
  it('refuses a wrong key, lists models, and answers a non-streaming completion', async () => {
    const oa = await startOpenAI({ apiKey: 'sk-right', script: [{ text: 'Hi there.' }] });
    stops.push(() => oa.stop());
    const bad = await fetch(`${oa.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-wrong' },
      body: '{}',
    });
    expect(bad.status).toBe(401);
    const headers = { authorization: 'Bearer sk-right', 'content-type': 'application/json' };
    const models = (await (await fetch(`${oa.url}/models`, { headers })).json()) as {
      data: Array<{ id: string }>;
    };
    expect(models.data[0]?.id).toBe('gpt-4.1');
    const body = JSON.stringify({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hello' }],
    });
    const completion = (await (
      await fetch(`${oa.url}/chat/completions`, { method: 'POST', headers, body })
    ).json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
    };
    expect(completion.choices[0]).toMatchObject({
      message: { content: 'Hi there.' },
      finish_reason: 'stop',
    });
    expect(oa.connections).toBeGreaterThanOrEqual(1);
  });
});

describe('ElevenLabs stand-in', () => {
  it('serves synthesize() over HTTP with non-silent PCM', async () => {
    const el = await startElevenLabs({ apiKey: 'xi' });
    stops.push(() => el.stop());
    const engine = new elevenlabs.TTS({ apiKey: 'xi', baseURL: el.url, encoding: 'pcm_22050' });
    const pcm: Buffer[] = [];
    for await (const audio of engine.synthesize('Goedendag, waarmee kan ik helpen?')) {
      expect(audio.frame.sampleRate).toBe(22050);
      pcm.push(
        Buffer.from(
          audio.frame.data.buffer,
          audio.frame.data.byteOffset,
          audio.frame.data.byteLength,
        ),
      );
    }
    const all = Buffer.concat(pcm);
    expect(all.length / 2 / 22050).toBeGreaterThan(1);
    expect(pcmRms(all)).toBeGreaterThan(0.05);
    expect(el.requests[0]?.path).toBe('/v1/text-to-speech/bIHbv24MWmeRgasZH58o/stream');
  });

  it('refuses a wrong key', async () => {
    const el = await startElevenLabs({ apiKey: 'xi' });
    stops.push(() => el.stop());
    await expect(
      open(
        `${el.url.replace('http', 'ws')}/text-to-speech/v/multi-stream-input?output_format=pcm_16000`,
        { 'xi-api-key': 'nope' },
      ),
    ).rejects.toThrow(/401/);
  });
});
