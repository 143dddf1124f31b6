import { spawn } from 'node:child_process';
import { AudioByteStream, shortuuid, tts, type APIConnectOptions } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import type { Language } from '../config.js';
import { engineChildEnv } from './child-env.js';

/** espeak-ng writes 22.05 kHz mono 16-bit WAV to stdout. */
export const ESPEAK_SAMPLE_RATE = 22050;

export interface EspeakOptions {
  /** espeak-ng voice per language. */
  voices: Record<Language, string>;
  language: Language;
  /** Words per minute. */
  rate: number;
}

export const defaultEspeakOptions: EspeakOptions = {
  voices: { nl: 'nl', fr: 'fr-be', en: 'en', de: 'de' },
  language: 'en',
  rate: 165,
};

/**
 * Offline TTS: espeak-ng behind the agents-js TTS interface. Audio is streamed from espeak's
 * stdout into frames as it is produced, so the first frame leaves before the sentence is done,
 * and nothing is ever written to disk.
 */
export class EspeakTTS extends tts.TTS {
  label = 'espeak-ng.TTS';
  #opts: EspeakOptions;

  constructor(opts: Partial<EspeakOptions> = {}) {
    super(ESPEAK_SAMPLE_RATE, 1, { streaming: false });
    this.#opts = { ...defaultEspeakOptions, ...opts };
    if (this.#opts.rate < 80 || this.#opts.rate > 450) {
      throw new Error(
        `espeak rate must be between 80 and 450 words per minute, got ${this.#opts.rate}`,
      );
    }
  }

  get model(): string {
    return 'espeak-ng';
  }

  get provider(): string {
    return 'local';
  }

  /** Later utterances use the new voice; the call follows the caller's language with it. */
  updateOptions(opts: { language?: Language }): void {
    if (opts.language) this.#opts = { ...this.#opts, language: opts.language };
  }

  synthesize(
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ): tts.ChunkedStream {
    return new EspeakChunkedStream(this, text, this.#opts, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('espeak-ng TTS is not streaming; AgentSession wraps it with a StreamAdapter');
  }
}

class EspeakChunkedStream extends tts.ChunkedStream {
  label = 'espeak-ng.ChunkedStream';
  #opts: EspeakOptions;
  #text: string;

  constructor(
    owner: EspeakTTS,
    text: string,
    opts: EspeakOptions,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, owner, connOptions, abortSignal);
    this.#opts = opts;
    this.#text = text;
  }

  protected async run(): Promise<void> {
    const requestId = shortuuid();
    const voice = this.#opts.voices[this.#opts.language];
    // Text goes in on stdin, never as an argument, so caller-influenced text cannot become a flag.
    const child = spawn('espeak-ng', ['-v', voice, '-s', String(this.#opts.rate), '--stdout'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: engineChildEnv(),
    });
    const onAbort = () => child.kill('SIGKILL');
    this.abortController.signal.addEventListener('abort', onAbort, { once: true });
    child.stdin.end(this.#text);

    // 20 ms frames, not agents-js's default 100: a barge-in pauses the output between frames.
    const bytes = new AudioByteStream(ESPEAK_SAMPLE_RATE, 1, ESPEAK_SAMPLE_RATE / 50);
    const header = new WavHeaderSkipper();
    let pending: AudioFrame | undefined;
    const emit = (frame: AudioFrame) => {
      if (pending)
        this.queue.put({ requestId, segmentId: requestId, frame: pending, final: false });
      pending = frame;
    };
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        const pcm = header.push(chunk);
        if (pcm.length > 0) for (const frame of bytes.write(pcm)) emit(frame);
      }
      for (const frame of bytes.flush()) emit(frame);
      const code: number | null = await new Promise((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', (c) => resolve(c));
      });
      if (code !== 0 && !this.abortController.signal.aborted) {
        throw new Error(`espeak-ng exited with code ${code} for voice ${voice}`);
      }
      if (pending) this.queue.put({ requestId, segmentId: requestId, frame: pending, final: true });
    } finally {
      this.abortController.signal.removeEventListener('abort', onAbort);
      this.queue.close();
    }
  }
}

/** Drops the RIFF header (whose sizes espeak leaves unset when writing to a pipe) and passes PCM through. */
export class WavHeaderSkipper {
  #buffered = Buffer.alloc(0);
  #done = false;

  push(chunk: Buffer): Buffer {
    if (this.#done) return chunk;
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    const data = this.#buffered.indexOf('data', 12, 'ascii');
    if (data < 0 || this.#buffered.length < data + 8) return Buffer.alloc(0);
    this.#done = true;
    const pcm = this.#buffered.subarray(data + 8);
    this.#buffered = Buffer.alloc(0);
    return pcm;
  }
}
