import { AudioFrame } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { toRecognizerPcm } from './pocketsphinx-audio.js';

const tone = (rate: number, channels: number, seconds: number) => {
  const n = Math.round(rate * seconds);
  const data = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    for (let c = 0; c < channels; c++) data[i * channels + c] = c === 0 ? v : -v / 2;
  }
  return new AudioFrame(data, rate, channels, n);
};

describe('toRecognizerPcm', () => {
  it('passes 16 kHz mono through untouched, joining frames in order', () => {
    const a = new AudioFrame(Int16Array.from([1, 2, 3]), 16000, 1, 3);
    const b = new AudioFrame(Int16Array.from([4, 5]), 16000, 1, 2);
    const pcm = toRecognizerPcm([a, b]);
    expect([...new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2)]).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });

  it('resamples 48 kHz stereo to 16 kHz mono with the same duration', () => {
    const pcm = toRecognizerPcm([tone(48000, 2, 0.5), tone(48000, 2, 0.5)]);
    const samples = pcm.byteLength / 2;
    expect(Math.abs(samples - 16000)).toBeLessThan(160);
    // Downmixed (v + -v/2) / 2 = v/4: peak about 2000, not 8000 and not silence.
    const view = new Int16Array(pcm.buffer, pcm.byteOffset, samples);
    const peak = view.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(1500);
    expect(peak).toBeLessThan(2600);
  });

  it('returns nothing for no frames', () => {
    expect(toRecognizerPcm([]).byteLength).toBe(0);
  });
});
