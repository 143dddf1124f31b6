import { describe, expect, it } from 'vitest';
import { EspeakTTS, ESPEAK_SAMPLE_RATE } from './espeak-tts.js';

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

describe('EspeakTTS', () => {
  it.each(['nl', 'fr', 'en', 'de'] as const)(
    'speaks %s as non-silent frames with one final frame',
    async (language) => {
      const engine = new EspeakTTS({ language });
      const frames = [];
      for await (const audio of engine.synthesize('Goedendag. Bonjour. Hello. Guten Tag.'))
        frames.push(audio);
      expect(frames.length).toBeGreaterThan(10);
      expect(frames.filter((f) => f.final)).toHaveLength(1);
      expect(frames.at(-1)?.final).toBe(true);
      const samples = Int16Array.from(frames.flatMap((f) => Array.from(f.frame.data)));
      expect(frames[0]!.frame.sampleRate).toBe(ESPEAK_SAMPLE_RATE);
      expect(samples.length / ESPEAK_SAMPLE_RATE).toBeGreaterThan(1);
      expect(rms(samples)).toBeGreaterThan(500);
    },
  );

  it('refuses an out-of-range rate with the range in the message', () => {
    expect(() => new EspeakTTS({ rate: 3 })).toThrow(/between 80 and 450.*got 3/);
  });

  it('treats text that looks like a flag as words', async () => {
    const frames = [];
    for await (const audio of new EspeakTTS().synthesize('--help -w /tmp/x.wav'))
      frames.push(audio);
    expect(frames.length).toBeGreaterThan(0);
  });
});
