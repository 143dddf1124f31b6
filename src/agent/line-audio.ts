import { ReadableStream } from 'node:stream/web';
import type { tts } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import type { Language } from './config.js';

/** Fixed lines (greetings, refusals) as audio, synthesised once and kept in memory. */
export interface LineAudio {
  /** The line's audio, synthesised now unless it already was. */
  get(text: string, language: Language): Promise<AudioFrame[]>;
  /** The line's audio if it is already in memory: otherwise speak it live, which starts sooner. */
  ready(text: string, language: Language): AudioFrame[] | undefined;
  /** Puts a line synthesised elsewhere (the worker's, see lines-service.ts) into memory. */
  seed(text: string, language: Language, frames: AudioFrame[]): void;
}

/**
 * A fixed line costs a TTS round trip only the first time it is needed; afterwards it plays from
 * memory (never from disk: no audio is ever written). A failed synthesis is forgotten, so the next
 * use tries again.
 */
export function lineAudio(ttsFor: (language: Language) => tts.TTS): LineAudio {
  const cache = new Map<string, Promise<AudioFrame[]>>();
  const done = new Map<string, AudioFrame[]>();
  const key = (text: string, language: Language) => `${language}\n${text}`;
  return {
    get(text, language) {
      const k = key(text, language);
      let audio = cache.get(k);
      if (!audio) {
        audio = framesOf(ttsFor(language), text);
        audio.then(
          (frames) => done.set(k, frames),
          () => cache.delete(k),
        );
        cache.set(k, audio);
      }
      return audio;
    },
    ready: (text, language) => done.get(key(text, language)),
    seed(text, language, frames) {
      const k = key(text, language);
      done.set(k, frames);
      cache.set(k, Promise.resolve(frames));
    },
  };
}

async function framesOf(engine: tts.TTS, text: string): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const chunk of engine.synthesize(text)) frames.push(chunk.frame);
  return frames;
}

/** Audio kept in memory, as the stream `session.say(text, { audio })` plays. */
export function audioStream(frames: AudioFrame[]): ReadableStream<AudioFrame> {
  return new ReadableStream({
    start(controller) {
      for (const frame of frames) controller.enqueue(frame);
      controller.close();
    },
  });
}
