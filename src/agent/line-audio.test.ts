import { AudioFrame } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { lineAudio } from './line-audio.js';

/** A TTS that yields one frame per character and counts what it was asked to say. */
function countingTts(fail = false) {
  const said: string[] = [];
  const engine = {
    async *synthesize(text: string) {
      said.push(text);
      if (fail) throw new Error('vendor down');
      for (let i = 0; i < text.length; i++)
        yield { frame: new AudioFrame(new Int16Array(160), 16000, 1, 160) };
    },
  };
  return { said, ttsFor: () => engine as never };
}

describe('fixed lines in memory', () => {
  it('synthesises a line once per language and then serves it from memory', async () => {
    const { said, ttsFor } = countingTts();
    const lines = lineAudio(ttsFor);
    expect(lines.ready('Hallo', 'nl')).toBeUndefined();
    const [a, b] = await Promise.all([lines.get('Hallo', 'nl'), lines.get('Hallo', 'nl')]);
    expect(a).toHaveLength(5);
    expect(b).toBe(a);
    expect(lines.ready('Hallo', 'nl')).toBe(a);
    await lines.get('Hallo', 'de');
    expect(said).toEqual(['Hallo', 'Hallo']);
  });

  it('serves a line seeded from elsewhere without synthesising it', async () => {
    const { said, ttsFor } = countingTts();
    const lines = lineAudio(ttsFor);
    const frames = [new AudioFrame(new Int16Array(320), 16000, 1, 320)];
    lines.seed('Guten Tag', 'de', frames);
    expect(lines.ready('Guten Tag', 'de')).toBe(frames);
    expect(await lines.get('Guten Tag', 'de')).toBe(frames);
    expect(said).toEqual([]);
  });

  it('forgets a failed synthesis, so the next call tries again', async () => {
    const { said, ttsFor } = countingTts(true);
    const lines = lineAudio(ttsFor);
    await expect(lines.get('Bonjour', 'fr')).rejects.toThrow('vendor down');
    await expect(lines.get('Bonjour', 'fr')).rejects.toThrow('vendor down');
    expect(said).toEqual(['Bonjour', 'Bonjour']);
    expect(lines.ready('Bonjour', 'fr')).toBeUndefined();
  });
});
