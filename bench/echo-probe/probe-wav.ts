/**
 * What the caller plays to the echo probe: silence, then tone bursts at a fixed period, so each
 * burst's echo is heard well before the next one starts and every onset is unambiguous.
 */
import { writeFileSync } from 'node:fs';
import { voiceLikePcm } from '../standins/index.js';

export interface ProbeSignal {
  sampleRate: number;
  leadMs: number;
  bursts: number;
  burstMs: number;
  periodMs: number;
  tailMs: number;
}

export const DEFAULT_PROBE: ProbeSignal = {
  sampleRate: 16000,
  // Covers the call's set-up: livekit-sip sends caller audio to the room only once answered.
  leadMs: 1500,
  bursts: 8,
  burstMs: 300,
  // The echo (about 150 ms late) ends well before the next burst, with 200 ms of quiet between.
  periodMs: 600,
  tailMs: 1000,
};

/** Where each burst starts in the played file (ms). */
export function burstStarts(signal: ProbeSignal): number[] {
  return Array.from({ length: signal.bursts }, (_v, i) => signal.leadMs + i * signal.periodMs);
}

/** The probe signal as 16-bit mono PCM. */
export function probePcm(signal: ProbeSignal): Buffer {
  const perMs = signal.sampleRate / 1000;
  const totalMs = signal.leadMs + signal.bursts * signal.periodMs + signal.tailMs;
  const out = Buffer.alloc(Math.round(totalMs * perMs) * 2);
  for (const start of burstStarts(signal)) {
    voiceLikePcm(signal.sampleRate, Math.round(signal.burstMs * perMs)).copy(
      out,
      Math.round(start * perMs) * 2,
    );
  }
  return out;
}

/** A canonical 44-byte-header WAV around 16-bit mono PCM. */
export function wavFile(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

export function writeProbeWav(path: string, signal: ProbeSignal = DEFAULT_PROBE): string {
  writeFileSync(path, wavFile(probePcm(signal), signal.sampleRate));
  return path;
}
