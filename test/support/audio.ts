import { execFileSync } from 'node:child_process';

export interface Pcm {
  sampleRate: number;
  samples: Int16Array;
}

/** Reads a mono 16-bit PCM WAV held in memory. */
export function readWav(buf: Buffer): Pcm {
  const sampleRate = buf.readUInt32LE(24);
  const data = buf.indexOf('data', 12, 'ascii');
  const start = data + 8;
  const samples = new Int16Array(
    buf.buffer.slice(
      buf.byteOffset + start,
      buf.byteOffset + buf.length - ((buf.length - start) % 2),
    ),
  );
  return { sampleRate, samples };
}

/** RMS per 20 ms window. */
export function windowRms({ sampleRate, samples }: Pcm, windowMs = 20): number[] {
  const size = Math.floor((sampleRate * windowMs) / 1000);
  const out: number[] = [];
  for (let i = 0; i + size <= samples.length; i += size) {
    let sum = 0;
    for (let j = i; j < i + size; j++) sum += samples[j]! * samples[j]!;
    out.push(Math.sqrt(sum / size));
  }
  return out;
}

/** A window counts as voiced when its RMS stands clearly above the call's noise floor. */
export const VOICED_RMS = 300;

export function voicedSeconds(pcm: Pcm): number {
  return windowRms(pcm).filter((r) => r > VOICED_RMS).length * 0.02;
}

export function firstVoicedMs(pcm: Pcm): number | undefined {
  const i = windowRms(pcm).findIndex((r) => r > VOICED_RMS);
  return i < 0 ? undefined : i * 20;
}

/** A silent mono WAV of the given length, made with sox, for callers who only listen. */
export function silenceWav(path: string, seconds: number, sampleRate = 8000): string {
  execFileSync('sox', [
    '-n',
    '-r',
    String(sampleRate),
    '-c',
    '1',
    '-b',
    '16',
    path,
    'trim',
    '0',
    String(seconds),
  ]);
  return path;
}

/**
 * espeak-ng speech as a mono WAV at the given rate: leading silence, then each utterance followed by
 * `gapSeconds` of silence (time for the agent to answer), then trailing silence.
 */
export function speechWav(
  path: string,
  text: string | string[],
  opts: {
    voice?: string;
    sampleRate?: number;
    padSeconds?: number;
    tailSeconds?: number;
    gapSeconds?: number;
  } = {},
): string {
  const rate = String(opts.sampleRate ?? 16000);
  const utterances = Array.isArray(text) ? text : [text];
  const parts = utterances.map((t, i) => {
    const raw = `${path}.${i}.raw.wav`;
    const part = `${path}.${i}.wav`;
    execFileSync('espeak-ng', ['-v', opts.voice ?? 'en', '-w', raw, t]);
    const after = i === utterances.length - 1 ? (opts.tailSeconds ?? 6) : (opts.gapSeconds ?? 7);
    execFileSync('sox', [
      raw,
      '-r',
      rate,
      '-c',
      '1',
      '-b',
      '16',
      part,
      'pad',
      i === 0 ? String(opts.padSeconds ?? 3) : '0',
      String(after),
    ]);
    execFileSync('rm', ['-f', raw]);
    return part;
  });
  execFileSync('sox', [...parts, path]);
  execFileSync('rm', ['-f', ...parts]);
  return path;
}
