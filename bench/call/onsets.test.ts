import { describe, expect, it } from 'vitest';
import { burstStarts, DEFAULT_PROBE, probePcm, wavFile } from '../echo-probe/probe-wav.js';
import { readWav } from '../../test/support/audio.js';
import { echoDelays, firstVoicedFrom, lastVoicedEnd, onsets, percentile } from './onsets.js';
import { PROFILES, parseProfiles } from './profiles.js';

const probe = readWav(wavFile(probePcm(DEFAULT_PROBE), DEFAULT_PROBE.sampleRate));

/** The probe signal delayed by `ms`, as an echo would come back. */
function delayed(ms: number) {
  const shift = (ms * probe.sampleRate) / 1000;
  const samples = new Int16Array(probe.samples.length);
  samples.set(probe.samples.subarray(0, probe.samples.length - shift), shift);
  return { sampleRate: probe.sampleRate, samples };
}

describe('onsets', () => {
  it('finds every burst of the probe signal where it was put', () => {
    expect(onsets(probe)).toEqual(burstStarts(DEFAULT_PROBE));
  });

  it('reads an echo delayed by 190 ms as 190 ms, burst by burst', () => {
    const delays = echoDelays(burstStarts(DEFAULT_PROBE), onsets(delayed(190)));
    expect(delays).toEqual(Array(DEFAULT_PROBE.bursts).fill(190));
  });

  it('leaves out a burst that never came back instead of counting it', () => {
    expect(echoDelays([1000, 2000], [1180])).toEqual([180]);
  });

  it('finds the last voiced end and the first voiced window after a time', () => {
    const last = burstStarts(DEFAULT_PROBE).at(-1)! + DEFAULT_PROBE.burstMs;
    expect(lastVoicedEnd(probe)).toBe(last);
    expect(firstVoicedFrom(probe, 1850)).toBe(DEFAULT_PROBE.leadMs + DEFAULT_PROBE.periodMs);
    expect(firstVoicedFrom(probe, 1600)).toBe(1600);
  });
});

describe('percentile and profiles', () => {
  it('takes the nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });

  it('knows zero and flash, whose vendor chain is 150 + 300 + 100 ms', () => {
    expect(parseProfiles('zero,flash').map((p) => p.name)).toEqual(['zero', 'flash']);
    expect(PROFILES.flash.chainMs).toBe(550);
    expect(() => parseProfiles('slow')).toThrow(/unknown profile/);
  });
});
