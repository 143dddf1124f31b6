import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  closeServer,
  createClock,
  createDelayPicker,
  createSequencer,
  credentialMatches,
  listen,
  describeRequest,
  readBody,
  rejectUpgrade,
  requestUrl,
  sleep,
  trackConnections,
  voiceLikePcm,
  type DelaySpec,
  type StandinEvent,
  type StandinHandle,
  type StandinRequest,
} from './common.js';

/**
 * ElevenLabs TTS stand-in: the multi-context WebSocket
 * `{baseURL}/text-to-speech/{voice}/multi-stream-input` as the official
 * `@livekit/agents-plugin-elevenlabs` TTS drives it (`xi-api-key` header; `{ text: " ",
 * context_id }` opens a context, `{ text, context_id, flush }` adds text, `{ context_id,
 * close_context: true }` ends it), answered with `{ audio (base64 PCM), alignment,
 * normalizedAlignment, contextId }` and `{ isFinal: true, contextId }`. Also the HTTP
 * `{baseURL}/text-to-speech/{voice}/stream` used by `synthesize()`.
 *
 * The audio is a voice-like tone in the PCM format asked for by `output_format`, with a duration
 * proportional to the text, so a caller hears non-silent audio and energy detectors fire.
 */

export interface ElevenLabsDelays {
  seed?: number;
  /** From a flush (or close) to the first audio of that generation: the plugin's TTFB. */
  firstByteMs?: DelaySpec;
  /** Between audio chunks of one generation. 0 sends faster than real time, as ElevenLabs does. */
  chunkIntervalMs?: DelaySpec;
}

export interface ElevenLabsStandinOptions {
  port?: number;
  /** When set, only `xi-api-key: <apiKey>` is accepted; otherwise any key. */
  apiKey?: string;
  delays?: ElevenLabsDelays;
  /** Audio per character of text. */
  msPerChar?: number;
  /** Audio per message. */
  chunkMs?: number;
}

/** One text the stand-in turned into speech, with the voice and language it was asked for. */
export interface ElevenLabsSynthesis {
  text: string;
  voiceId: string;
  /** `language_code` of the WebSocket session; undefined when the client sent none. */
  languageCode: string | undefined;
}

export interface ElevenLabsStandin extends StandinHandle {
  syntheses: ElevenLabsSynthesis[];
  /** Replaces the delays from now on; the seeded sequence goes on (`seed` is ignored here). */
  setDelays(delays: ElevenLabsDelays): void;
}

interface Context {
  buffer: string;
  offsetSamples: number;
  generations: number;
}

export async function start(opts: ElevenLabsStandinOptions = {}): Promise<ElevenLabsStandin> {
  const clock = createClock();
  const pick = createDelayPicker(opts.delays?.seed ?? 1);
  let delays: ElevenLabsDelays = opts.delays ?? {};
  const requests: StandinRequest[] = [];
  const events: StandinEvent[] = [];
  const syntheses: ElevenLabsSynthesis[] = [];
  const msPerChar = opts.msPerChar ?? 45;
  const chunkMs = opts.chunkMs ?? 100;
  const voicePath = /^\/v1\/text-to-speech\/([^/]+)\/(multi-stream-input|stream)$/;

  const server = createServer((req, res) => {
    handleHttp(req, res).catch(() => res.destroy());
  });
  const tracked = trackConnections(server);
  const wss = new WebSocketServer({ noServer: true });

  const durationSamples = (text: string, sampleRate: number) =>
    Math.round((Math.max(200, text.length * msPerChar) * sampleRate) / 1000);

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const authorized = credentialMatches(header(req, 'xi-api-key'), '', opts.apiKey);
    const raw = await readBody(req);
    const body = raw.length ? (JSON.parse(raw.toString('utf8')) as { text?: string }) : {};
    requests.push(describeRequest(clock(), req, authorized, body));
    const match = voicePath.exec(url.pathname);
    if (req.method !== 'POST' || !match || match[2] !== 'stream')
      return void res.writeHead(404).end();
    if (!authorized)
      return void res.writeHead(401).end(JSON.stringify({ detail: { status: 'invalid_api_key' } }));
    const sampleRate = pcmRate(url.searchParams.get('output_format'));
    if (sampleRate === undefined)
      return void res
        .writeHead(400)
        .end(JSON.stringify({ detail: { status: 'invalid_output_format' } }));
    const delay = pick(delays.firstByteMs);
    events.push({ at: clock(), kind: 'first_byte', delayMs: delay, detail: { http: true } });
    await sleep(delay);
    res.writeHead(200, { 'content-type': 'audio/pcm' });
    const total = durationSamples(body.text ?? '', sampleRate);
    const step = Math.round((sampleRate * chunkMs) / 1000);
    for (let at = 0; at < total; at += step) {
      if (at > 0) await sleep(pick(delays.chunkIntervalMs));
      res.write(voiceLikePcm(sampleRate, Math.min(step, total - at), at));
    }
    res.end();
  }

  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    const authorized = credentialMatches(header(req, 'xi-api-key'), '', opts.apiKey);
    requests.push(describeRequest(clock(), req, authorized));
    const match = voicePath.exec(url.pathname);
    if (!match || match[2] !== 'multi-stream-input') return rejectUpgrade(socket, 404);
    if (!authorized) return rejectUpgrade(socket, 401);
    const sampleRate = pcmRate(url.searchParams.get('output_format'));
    if (sampleRate === undefined) return rejectUpgrade(socket, 400);
    const voice = {
      voiceId: match[1]!,
      languageCode: url.searchParams.get('language_code') ?? undefined,
    };
    wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, sampleRate, voice));
  });

  function runSession(
    ws: WebSocket,
    sampleRate: number,
    voice: Omit<ElevenLabsSynthesis, 'text'>,
  ): void {
    const contexts = new Map<string, Context>();
    const sequence = createSequencer(clock);
    const sendAt = (delayMs: number, message: () => object) =>
      sequence(delayMs, () => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message()));
      });

    const generate = (contextId: string, ctx: Context) => {
      const text = ctx.buffer.trim();
      ctx.buffer = '';
      if (!text) return;
      ctx.generations += 1;
      syntheses.push({ text, ...voice });
      const first = pick(delays.firstByteMs);
      events.push({
        at: clock(),
        kind: 'first_byte',
        delayMs: first,
        detail: { contextId, chars: text.length },
      });
      const total = durationSamples(text, sampleRate);
      const step = Math.round((sampleRate * chunkMs) / 1000);
      const chars = [...text];
      const perChar = Math.floor((total * 1000) / sampleRate / Math.max(1, chars.length));
      const alignment = {
        chars,
        charStartTimesMs: chars.map((_c, i) => i * perChar),
        charDurationsMs: chars.map(() => perChar),
      };
      for (let at = 0; at < total; at += step) {
        const pcm = voiceLikePcm(sampleRate, Math.min(step, total - at), ctx.offsetSamples + at);
        const firstChunk = at === 0;
        sendAt(firstChunk ? first : pick(delays.chunkIntervalMs), () => ({
          audio: pcm.toString('base64'),
          ...(firstChunk ? { alignment, normalizedAlignment: alignment } : {}),
          contextId,
        }));
      }
      ctx.offsetSamples += total;
    };

    ws.on('message', (data) => {
      let msg: {
        text?: string;
        context_id?: string;
        flush?: boolean;
        close_context?: boolean;
        close_socket?: boolean;
      };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.close_socket) {
        sequence(0, () => ws.close(1000));
        return;
      }
      const contextId = msg.context_id ?? 'default';
      let ctx = contexts.get(contextId);
      if (!ctx) {
        ctx = { buffer: '', offsetSamples: 0, generations: 0 };
        contexts.set(contextId, ctx);
      }
      if (typeof msg.text === 'string') ctx.buffer += msg.text;
      // ElevenLabs also starts on its own once enough text is buffered (chunk length schedule).
      if (msg.flush || msg.close_context || ctx.buffer.length >= 120) generate(contextId, ctx);
      if (msg.close_context) {
        contexts.delete(contextId);
        sendAt(0, () => ({ isFinal: true, contextId }));
      }
    });
  }

  const port = await listen(server, opts.port);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    get connections() {
      return tracked.count();
    },
    requests,
    events,
    syntheses,
    setDelays(next) {
      delays = next;
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      tracked.destroyAll();
      await closeServer(server);
    },
  };
}

function pcmRate(format: string | null): number | undefined {
  const match = /^pcm_(8000|16000|22050|24000|44100|48000)$/.exec(format ?? '');
  return match ? Number(match[1]) : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
