/**
 * Where sound starts and stops in a recording, on 10 ms windows: the turn gap and the echo
 * probe's round trip are both read this way from what baresip played and heard, so the
 * windowing's own bias is the same in both and cancels in their difference.
 */
import type { Pcm } from '../../test/support/audio.js';
import { VOICED_RMS, windowRms } from '../../test/support/audio.js';

export const WINDOW_MS = 10;

/** Start times (ms) of voiced windows that follow at least `quietMs` of unvoiced ones. */
export function onsets(pcm: Pcm, quietMs = 200, windowMs = WINDOW_MS): number[] {
  const out: number[] = [];
  let quiet = quietMs;
  for (const [i, rms] of windowRms(pcm, windowMs).entries()) {
    if (rms > VOICED_RMS) {
      if (quiet >= quietMs) out.push(i * windowMs);
      quiet = 0;
    } else {
      quiet += windowMs;
    }
  }
  return out;
}

/** End (ms) of the last voiced window, or undefined for silence. */
export function lastVoicedEnd(pcm: Pcm, windowMs = WINDOW_MS): number | undefined {
  const rms = windowRms(pcm, windowMs);
  for (let i = rms.length - 1; i >= 0; i--) if (rms[i]! > VOICED_RMS) return (i + 1) * windowMs;
  return undefined;
}

/** Start (ms) of the first voiced window at or after `fromMs`. */
export function firstVoicedFrom(
  pcm: Pcm,
  fromMs: number,
  windowMs = WINDOW_MS,
): number | undefined {
  const rms = windowRms(pcm, windowMs);
  for (let i = Math.max(0, Math.ceil(fromMs / windowMs)); i < rms.length; i++) {
    if (rms[i]! > VOICED_RMS) return i * windowMs;
  }
  return undefined;
}

/**
 * For each sent onset, the delay to the first heard onset within `maxLagMs` after it (both on
 * one clock); a burst that never came back is left out, not counted as zero.
 */
export function echoDelays(sent: number[], heard: number[], maxLagMs = 1000): number[] {
  const out: number[] = [];
  for (const at of sent) {
    const back = heard.find((h) => h >= at && h - at <= maxLagMs);
    if (back !== undefined) out.push(back - at);
  }
  return out;
}

/** Nearest-rank percentile; NaN for no data. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
