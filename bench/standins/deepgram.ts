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
  pcmRms,
  readBody,
  rejectUpgrade,
  requestUrl,
  trackConnections,
  type DelaySpec,
  type StandinEvent,
  type StandinHandle,
  type StandinRequest,
} from './common.js';
import { prerecordedBody, resultsMessage, type DeepgramScriptItem } from './deepgram-messages.js';

export type { DeepgramScriptItem } from './deepgram-messages.js';

/**
 * Deepgram live transcription stand-in: the `/v1/listen` WebSocket as the official
 * `@livekit/agents-plugin-deepgram` STT uses it (linear16 audio in, `Results` JSON out, with
 * `SpeechStarted` when `vad_events=true` and `UtteranceEnd` when `utterance_end_ms` is set).
 *
 * It does not recognise speech. It detects voiced audio by energy, and when an utterance ends
 * (`endpointingMs` of received non-voiced audio after voiced audio, a `Finalize`, or a
 * `CloseStream`) it answers with the next scripted transcript. Delays come from a seeded
 * generator, so runs are repeatable.
 */

export interface DeepgramDelays {
  seed?: number;
  /** Before `SpeechStarted`. */
  speechStartedMs?: DelaySpec;
  /** Before each interim `Results`. */
  interimMs?: DelaySpec;
  /** Before the final `Results` (`is_final` and `speech_final`), after the endpoint is seen. */
  finalMs?: DelaySpec;
  /**
   * Instead of `finalMs`: the final of an endpointed utterance goes out this long after the end of
   * its voiced audio as that audio arrived (audio streams in real time), however long the
   * endpointing took, or at once when that was longer. A vendor's latency is quoted this way.
   */
  finalAfterSpeechEndMs?: DelaySpec;
}

export interface DeepgramStandinOptions {
  port?: number;
  /** When set, only `Authorization: Token <apiKey>` is accepted; otherwise any token. */
  apiKey?: string;
  delays?: DeepgramDelays;
  script?: DeepgramScriptItem[];
  /** Audio time of non-voiced audio after voiced audio that ends an utterance. */
  endpointingMs?: number;
  /** Voiced audio needed before an utterance starts, so clicks do not count. */
  minSpeechMs?: number;
  /** An interim result every this much voiced audio. */
  interimEveryMs?: number;
  /** RMS (0..1) above which a 10 ms block counts as voiced. */
  voiceThreshold?: number;
}

export interface DeepgramStandin extends StandinHandle {
  /** Replaces the remaining script. */
  setScript(items: DeepgramScriptItem[]): void;
  /** Replaces the delays from now on; the seeded sequence goes on (`seed` is ignored here). */
  setDelays(delays: DeepgramDelays): void;
  /** Script items not used yet. */
  remaining(): number;
}

const BLOCK_MS = 10;

export async function start(opts: DeepgramStandinOptions = {}): Promise<DeepgramStandin> {
  const clock = createClock();
  const pick = createDelayPicker(opts.delays?.seed ?? 1);
  let delays: DeepgramDelays = opts.delays ?? {};
  const requests: StandinRequest[] = [];
  const events: StandinEvent[] = [];
  let script = [...(opts.script ?? [])];
  let requestCounter = 0;
  const settings = {
    endpointingMs: opts.endpointingMs ?? 300,
    minSpeechMs: opts.minSpeechMs ?? 60,
    interimEveryMs: opts.interimEveryMs ?? 300,
    voiceThreshold: opts.voiceThreshold ?? 0.01,
  };
  const nextItem = (): DeepgramScriptItem => script.shift() ?? { transcript: '', language: 'en' };
  const nextRequestId = () =>
    `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, '0')}`;

  const server = createServer((req, res) => {
    void handleRest(req, res);
  });
  const tracked = trackConnections(server);
  const wss = new WebSocketServer({ noServer: true });

  async function handleRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const authorized = credentialMatches(req.headers.authorization, 'Token', opts.apiKey);
    await readBody(req);
    requests.push(describeRequest(clock(), req, authorized));
    if (req.method !== 'POST' || url.pathname !== '/v1/listen') {
      res.writeHead(404).end();
      return;
    }
    if (!authorized) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' }));
      return;
    }
    const item = nextItem();
    const delay = pick(delays.finalMs);
    events.push({
      at: clock(),
      kind: 'prerecorded',
      delayMs: delay,
      detail: { language: item.language },
    });
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(prerecordedBody(item, nextRequestId())));
    }, delay);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    const authorized = credentialMatches(req.headers.authorization, 'Token', opts.apiKey);
    requests.push(describeRequest(clock(), req, authorized));
    if (url.pathname !== '/v1/listen') return rejectUpgrade(socket, 404);
    if (!authorized) return rejectUpgrade(socket, 401);
    if (url.searchParams.get('encoding') !== 'linear16' || !url.searchParams.get('sample_rate')) {
      return rejectUpgrade(socket, 400);
    }
    wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, url.searchParams));
  });

  function runSession(ws: WebSocket, params: URLSearchParams): void {
    const sampleRate = Number(params.get('sample_rate'));
    const channels = Number(params.get('channels') ?? '1');
    const language = params.get('language') ?? 'en';
    const interimResults = params.get('interim_results') === 'true';
    const vadEvents = params.get('vad_events') === 'true';
    const utteranceEndMs = params.get('utterance_end_ms')
      ? Number(params.get('utterance_end_ms'))
      : undefined;
    const requestId = nextRequestId();
    const blockBytes = Math.round((sampleRate * BLOCK_MS) / 1000) * channels * 2;
    let pending = Buffer.alloc(0);
    // Audio of the current chunk after the block being read: already arrived, so already past.
    let chunkTailMs = 0;
    let audioMs = 0;
    let voicedMs = 0;
    let silenceMs = 0;
    let speaking = false;
    let utterance:
      { item: DeepgramScriptItem; startMs: number; speechMs: number; interims: number } | undefined;
    const sequence = createSequencer(clock);

    const schedule = (
      kind: string,
      delayMs: number,
      build: () => object,
      detail?: Record<string, unknown>,
    ) => {
      events.push({ at: clock(), kind, delayMs, ...(detail ? { detail } : {}) });
      sequence(delayMs, () => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(build()));
      });
    };

    const results = (
      u: NonNullable<typeof utterance>,
      text: string,
      isFinal: boolean,
      fromFinalize: boolean,
    ) =>
      resultsMessage({
        requestId,
        item: u.item,
        text,
        startMs: u.startMs,
        endMs: audioMs,
        multi: language === 'multi',
        isFinal,
        fromFinalize,
      });

    const finish = (fromFinalize: boolean) => {
      if (!utterance) return;
      const u = utterance;
      utterance = undefined;
      speaking = false;
      voicedMs = 0;
      const text = u.item.transcript;
      const afterSpeechEnd = fromFinalize ? undefined : delays.finalAfterSpeechEndMs;
      const target = afterSpeechEnd === undefined ? undefined : pick(afterSpeechEnd);
      const delay =
        target === undefined ? pick(delays.finalMs) : Math.max(0, target - silenceMs - chunkTailMs);
      schedule('final', delay, () => results(u, text, true, fromFinalize), {
        language: u.item.language,
        audioMs,
        fromFinalize,
        ...(target === undefined ? {} : { afterSpeechEndMs: target }),
      });
      if (utteranceEndMs !== undefined) {
        schedule('utterance_end', 0, () => ({
          type: 'UtteranceEnd',
          channel: [0, 1],
          last_word_end: audioMs / 1000,
        }));
      }
    };

    const onBlock = (block: Buffer) => {
      audioMs += BLOCK_MS;
      const voiced = pcmRms(block) > settings.voiceThreshold;
      if (voiced) {
        silenceMs = 0;
        voicedMs += BLOCK_MS;
      } else {
        silenceMs += BLOCK_MS;
        if (!speaking && silenceMs >= settings.endpointingMs) voicedMs = 0;
      }
      if (!speaking && voicedMs >= settings.minSpeechMs) {
        speaking = true;
        utterance = {
          item: nextItem(),
          startMs: audioMs - voicedMs,
          speechMs: voicedMs,
          interims: 0,
        };
        if (vadEvents) {
          const at = utterance.startMs / 1000;
          schedule('speech_started', pick(delays.speechStartedMs), () => ({
            type: 'SpeechStarted',
            channel: [0, 1],
            timestamp: at,
          }));
        }
        return;
      }
      if (!speaking || !utterance) return;
      if (voiced) utterance.speechMs += BLOCK_MS;
      const due = Math.floor(utterance.speechMs / settings.interimEveryMs);
      if (interimResults && voiced && due > utterance.interims) {
        utterance.interims = due;
        const all = utterance.item.transcript.split(/\s+/).filter(Boolean);
        // Reveal the words gradually but never all of them: only the final carries the whole text.
        const shown = all.slice(0, Math.min(all.length - 1, due * 2)).join(' ');
        const u = utterance;
        if (shown)
          schedule('interim', pick(delays.interimMs), () => results(u, shown, false, false));
      }
      if (silenceMs >= settings.endpointingMs) finish(false);
    };

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= blockBytes) {
          chunkTailMs = Math.floor((pending.length - blockBytes) / blockBytes) * BLOCK_MS;
          onBlock(pending.subarray(0, blockBytes));
          pending = pending.subarray(blockBytes);
        }
        return;
      }
      let message: { type?: string };
      try {
        message = JSON.parse(String(data)) as { type?: string };
      } catch {
        return;
      }
      if (message.type === 'Finalize') finish(true);
      if (message.type === 'CloseStream') {
        finish(true);
        schedule('close', 0, () => ({
          type: 'Metadata',
          request_id: requestId,
          duration: audioMs / 1000,
          channels,
        }));
        sequence(0, () => ws.close(1000));
      }
    });
  }

  const port = await listen(server, opts.port);
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    get connections() {
      return tracked.count();
    },
    requests,
    events,
    setScript(items) {
      script = [...items];
    },
    remaining: () => script.length,
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
