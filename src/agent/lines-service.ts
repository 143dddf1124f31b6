import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server } from 'node:net';
import { AudioFrame } from '@livekit/rtc-node';
import type { tts } from '@livekit/agents';
import { rejectionPrompt } from '../admission/index.js';
import { LANGUAGES, withTimeout } from '../common/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Language } from './config.js';
import { createTts, EspeakTTS } from './engines/index.js';
import { REJECTION_REASONS } from './rejection-audio.js';

/**
 * The fixed lines every call may need, synthesised once per worker and handed to each job process
 * as it warms up, so a greeting plays from memory the moment the call is active. A job process
 * serves one call: synthesised there, the greeting was not ready in time (it waited for admission,
 * so a refused call costs no vendor money), and every process paid espeak for the refusals again.
 * Here the vendor is paid once per line per worker start, never per call.
 *
 * The lines travel over an abstract Unix socket (Linux: no file, so no audio on disk), named in
 * this environment variable for the job processes the worker forks. The name is not a secret.
 */
export const LINES_SOCKET_ENV = 'SWITCHBOARD_LINES_SOCKET';

/** Which voice a line is in: the call's (greeting, resumption) or the offline refusals'. */
export type LineVoice = 'call' | 'refusal';

export interface Line {
  voice: LineVoice;
  language: Language;
  text: string;
  frames: AudioFrame[];
}

type Wanted = Omit<Line, 'frames'>;

/** 20 ms frames: a barge-in pauses the output between frames, so shorter ones stop it sooner. */
const FRAME_MS = 20;
/**
 * A line the vendor has not delivered by then is left out, so a vendor that hangs delays the job
 * processes' warm-up (they wait for the lines, bounded) only during the worker's first seconds.
 */
const SYNTHESIS_TIMEOUT_MS = 10_000;

export function wantedLines(config: SwitchboardConfig): Wanted[] {
  const { agent, admission } = config;
  return LANGUAGES.flatMap((language): Wanted[] => [
    { voice: 'call', language, text: agent.greeting[language] },
    { voice: 'call', language, text: agent.recovery.resumed[language] },
    ...REJECTION_REASONS.map((reason) => ({
      voice: 'refusal' as const,
      language,
      text: rejectionPrompt(admission, reason, language),
    })),
  ]);
}

/** Synthesises the lines (a failed one is left out: the job then synthesises it itself) and serves them. */
export async function serveLines(
  config: SwitchboardConfig,
  logger: Logger,
): Promise<{ close(): Promise<void> }> {
  const { voices, rate } = config.agent.engines.tts.offline;
  const engineFor = (line: Wanted): tts.TTS =>
    line.voice === 'call'
      ? createTts(config, line.language)
      : new EspeakTTS({ language: line.language, voices, rate });
  const started = Date.now();
  const ready = Promise.all(
    wantedLines(config).map((line) =>
      synthesise(engineFor(line), line.text).then(
        (frames): Line[] => [{ ...line, frames }],
        (err: unknown) => {
          logger.warn(
            { voice: line.voice, language: line.language, err: String(err) },
            'line not synthesised; job processes will synthesise it themselves',
          );
          return [];
        },
      ),
    ),
  ).then((lines) => {
    logger.info({ lines: lines.flat().length, ms: Date.now() - started }, 'fixed lines ready');
    return encodeLines(lines.flat());
  });
  const name = `switchboard-lines-${process.pid}-${randomBytes(4).toString('hex')}`;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    void ready.then((payload) => socket.end(payload));
  });
  await listen(server, `\0${name}`);
  process.env[LINES_SOCKET_ENV] = name;
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The worker's lines, or none (no worker service, or it did not answer in `timeoutMs`). */
export function fetchLines(timeoutMs: number): Promise<Line[]> {
  const name = process.env[LINES_SOCKET_ENV];
  if (!name) return Promise.resolve([]);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(`\0${name}`);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(decodeLines(Buffer.concat(chunks)));
      } catch {
        resolve([]); // Cut short: the job synthesises its lines itself.
      }
    });
  });
}

export async function synthesise(
  engine: tts.TTS,
  text: string,
  timeoutMs = SYNTHESIS_TIMEOUT_MS,
): Promise<AudioFrame[]> {
  const frames = (async () => {
    const out: AudioFrame[] = [];
    for await (const chunk of engine.synthesize(text)) out.push(chunk.frame);
    return out;
  })();
  try {
    return await withTimeout(frames, timeoutMs, () => new Error('synthesis timed out'));
  } finally {
    await engine.close().catch(() => undefined);
  }
}

/** Each line: header length (u32 BE), JSON header, PCM length (u32 BE), 16-bit PCM. */
export function encodeLines(lines: Line[]): Buffer {
  return Buffer.concat(
    lines.flatMap(({ frames, ...wanted }) => {
      const first = frames[0];
      if (!first) return [];
      const pcm = Buffer.concat(
        frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)),
      );
      const header = Buffer.from(
        JSON.stringify({ ...wanted, sampleRate: first.sampleRate, channels: first.channels }),
      );
      return [u32(header.length), header, u32(pcm.length), pcm];
    }),
  );
}

export function decodeLines(buffer: Buffer): Line[] {
  const lines: Line[] = [];
  let at = 0;
  const take = (length: number) => {
    if (at + length > buffer.length) throw new Error('truncated lines');
    const part = buffer.subarray(at, at + length);
    at += length;
    return part;
  };
  while (at < buffer.length) {
    const header = JSON.parse(take(take(4).readUInt32BE(0)).toString()) as Wanted & {
      sampleRate: number;
      channels: number;
    };
    const pcm = take(take(4).readUInt32BE(0));
    const { sampleRate, channels, ...wanted } = header;
    lines.push({ ...wanted, frames: framesOf(pcm, sampleRate, channels) });
  }
  return lines;
}

function framesOf(pcm: Buffer, sampleRate: number, channels: number): AudioFrame[] {
  const samples = new Int16Array(pcm.byteLength / 2);
  new Uint8Array(samples.buffer).set(pcm);
  const step = ((sampleRate * FRAME_MS) / 1000) * channels;
  const frames: AudioFrame[] = [];
  for (let i = 0; i < samples.length; i += step) {
    const data = samples.slice(i, i + step);
    frames.push(new AudioFrame(data, sampleRate, channels, data.length / channels));
  }
  return frames;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
}
