import { AudioFrame } from '@livekit/rtc-node';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionPrompt } from '../admission/index.js';
import { parseConfig } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import {
  decodeLines,
  encodeLines,
  fetchLines,
  LINES_SOCKET_ENV,
  serveLines,
  synthesise,
  wantedLines,
} from './lines-service.js';

const frame = (samples: number[], sampleRate = 16_000) =>
  new AudioFrame(Int16Array.from(samples), sampleRate, 1, samples.length);

describe("the worker's fixed lines", () => {
  afterEach(() => {
    delete process.env[LINES_SOCKET_ENV];
  });

  it('survives the wire: text, language, voice and every sample, cut into 20 ms frames', () => {
    // 25 ms at 16 kHz, arriving as two uneven frames.
    const samples = Array.from({ length: 400 }, (_, i) => i - 200);
    const [line] = decodeLines(
      encodeLines([
        {
          voice: 'call',
          language: 'fr',
          text: 'Bonjour, ça va ?',
          frames: [frame(samples.slice(0, 150)), frame(samples.slice(150))],
        },
      ]),
    );
    expect(line).toMatchObject({ voice: 'call', language: 'fr', text: 'Bonjour, ça va ?' });
    expect(line!.frames.map((f) => f.samplesPerChannel)).toEqual([320, 80]);
    expect(line!.frames.every((f) => f.sampleRate === 16_000)).toBe(true);
    expect(line!.frames.flatMap((f) => [...f.data])).toEqual(samples);
  });

  it('refuses a cut-short transfer rather than playing half a line', () => {
    const whole = encodeLines([
      { voice: 'refusal', language: 'nl', text: 'x', frames: [frame([1, 2, 3])] },
    ]);
    expect(() => decodeLines(whole.subarray(0, whole.length - 2))).toThrow('truncated');
  });

  it('are synthesised once by the worker and handed to a job process over its socket', async () => {
    const config = parseConfig({});
    const service = await serveLines(config, createLogger({ level: 'silent' }));
    try {
      expect(process.env[LINES_SOCKET_ENV]).toMatch(/^switchboard-lines-/);
      const lines = await fetchLines(10_000);
      // Greeting and resumption in the call's voice, both refusals offline, in every language.
      expect(lines.map(({ voice, language, text }) => ({ voice, language, text }))).toEqual(
        wantedLines(config),
      );
      const greeting = lines.find((l) => l.text === config.agent.greeting.de)!;
      expect(greeting.voice).toBe('call');
      const voiced = greeting.frames.filter((f) => f.data.some((s) => Math.abs(s) > 1000));
      expect(voiced.length * 20).toBeGreaterThan(1000); // over a second of speech
      expect(lines.map((l) => l.text)).toContain(
        rejectionPrompt(config.admission, 'over_capacity', 'nl'),
      );
    } finally {
      await service.close();
    }
  });

  it('gives up on a vendor that never answers, and closes its engine', async () => {
    let closed = false;
    const hanging = {
      synthesize: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => undefined) }),
      }),
      close: async () => {
        closed = true;
      },
    };
    await expect(synthesise(hanging as never, 'Hallo', 50)).rejects.toThrow('synthesis timed out');
    expect(closed).toBe(true);
  });

  it('leave a job process to synthesise its own lines when no worker serves them', async () => {
    expect(await fetchLines(1_000)).toEqual([]);
    process.env[LINES_SOCKET_ENV] = 'switchboard-lines-nobody-listens';
    expect(await fetchLines(1_000)).toEqual([]);
  });
});
