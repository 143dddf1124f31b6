import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  closeServer,
  createClock,
  createDelayPicker,
  credentialMatches,
  listen,
  readBody,
  requestUrl,
  sleep,
  trackConnections,
  type DelaySpec,
  type StandinEvent,
  type StandinHandle,
  type StandinRequest,
  describeRequest,
} from './common.js';
import {
  completionBody,
  MODEL_SNAPSHOT,
  sendError,
  tokenize,
  usage,
  type OpenAIChatRequest,
  type OpenAIScriptItem,
} from './openai-format.js';

export type { OpenAIChatRequest, OpenAIScriptItem } from './openai-format.js';

/**
 * OpenAI Chat Completions stand-in: `POST {baseURL}/chat/completions` with `stream: true`
 * answered as server-sent events in the real chunk format (`chat.completion.chunk`, a role
 * chunk, content or `tool_calls` deltas, a `finish_reason` chunk, a usage chunk when
 * `stream_options.include_usage` is set, then `[DONE]`), which is what the official
 * `@livekit/agents-plugin-openai` LLM parses. `GET {baseURL}/models` answers the plugin's prewarm.
 * Each completion request takes the next script item.
 */

export interface OpenAIDelays {
  seed?: number;
  /** Time to the first content or tool-call chunk (the plugin's TTFT). */
  firstTokenMs?: DelaySpec;
  /** Between later chunks. */
  interTokenMs?: DelaySpec;
}

export interface OpenAIStandinOptions {
  port?: number;
  /** When set, only `Authorization: Bearer <apiKey>` is accepted; otherwise any key. */
  apiKey?: string;
  delays?: OpenAIDelays;
  /** A list consumed one item per request, or a function of the request. */
  script?: OpenAIScriptItem[] | ((request: OpenAIChatRequest) => OpenAIScriptItem);
  /** Reply once a script list is used up. */
  fallbackText?: string;
}

export interface OpenAIStandin extends StandinHandle {
  setScript(script: NonNullable<OpenAIStandinOptions['script']>): void;
  remaining(): number;
  /** Replaces the delays from now on; the seeded sequence goes on (`seed` is ignored here). */
  setDelays(delays: OpenAIDelays): void;
}

export async function start(opts: OpenAIStandinOptions = {}): Promise<OpenAIStandin> {
  const clock = createClock();
  const pick = createDelayPicker(opts.delays?.seed ?? 1);
  let delays: OpenAIDelays = opts.delays ?? {};
  const requests: StandinRequest[] = [];
  const events: StandinEvent[] = [];
  let script = opts.script ?? [];
  let counter = 0;

  const nextItem = (body: OpenAIChatRequest): OpenAIScriptItem => {
    if (typeof script === 'function') return script(body);
    return script.shift() ?? { text: opts.fallbackText ?? 'Okay.' };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const tracked = trackConnections(server);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const path = url.pathname.replace(/^\/v1(?=\/)/, '');
    const authorized = credentialMatches(req.headers.authorization, 'Bearer', opts.apiKey);
    const raw = await readBody(req);
    let body: OpenAIChatRequest = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8')) as OpenAIChatRequest;
      } catch {
        return sendError(
          res,
          400,
          'invalid_request_error',
          'We could not parse the JSON body of your request.',
        );
      }
    }
    requests.push(describeRequest(clock(), req, authorized, raw.length ? body : undefined));
    if (!authorized)
      return sendError(
        res,
        401,
        'invalid_request_error',
        'Incorrect API key provided.',
        'invalid_api_key',
      );
    if (req.method === 'GET' && path === '/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: [{ id: 'gpt-4.1', object: 'model', created: 1744316542, owned_by: 'system' }],
        }),
      );
      return;
    }
    if (req.method !== 'POST' || path !== '/chat/completions') {
      return sendError(
        res,
        404,
        'invalid_request_error',
        `Unknown request URL: ${req.method} ${url.pathname}.`,
      );
    }
    const id = `chatcmpl-standin${String(++counter).padStart(6, '0')}`;
    const item = nextItem(body);
    const firstMs = pick(delays.firstTokenMs);
    events.push({
      at: clock(),
      kind: 'first_token',
      delayMs: firstMs,
      detail: { id, toolCall: 'toolCall' in item ? item.toolCall.name : undefined },
    });
    if (body.stream !== true) return sendCompletion(res, id, body, item, firstMs);

    let aborted = false;
    res.on('close', () => {
      aborted = !res.writableFinished;
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${id}`,
    });
    const created = Math.floor(Date.now() / 1000);
    const send = (choices: unknown[], usage: unknown = null) => {
      if (aborted) return;
      const chunk = {
        id,
        object: 'chat.completion.chunk',
        created,
        model: MODEL_SNAPSHOT,
        service_tier: 'default',
        system_fingerprint: 'fp_standin',
        choices,
        usage,
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    };
    const delta = (d: Record<string, unknown>, finish: string | null = null) => [
      { index: 0, delta: d, logprobs: null, finish_reason: finish },
    ];

    await sleep(firstMs);
    const tokens = tokenize(item.text ?? '');
    send(delta({ role: 'assistant', content: tokens.length ? '' : null, refusal: null }));
    for (const [i, token] of tokens.entries()) {
      if (i > 0) await sleep(pick(delays.interTokenMs));
      send(delta({ content: token }));
    }
    let completionTokens = tokens.length;
    if ('toolCall' in item) {
      const callId = `call_standin${String(counter).padStart(6, '0')}`;
      const args = JSON.stringify(item.toolCall.arguments);
      send(
        delta({
          tool_calls: [
            {
              index: 0,
              id: callId,
              type: 'function',
              function: { name: item.toolCall.name, arguments: '' },
            },
          ],
        }),
      );
      for (let i = 0; i < args.length; i += 8) {
        await sleep(pick(delays.interTokenMs));
        send(delta({ tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 8) } }] }));
      }
      completionTokens += Math.ceil(args.length / 4);
    }
    send(delta({}, 'toolCall' in item ? 'tool_calls' : 'stop'));
    if (body.stream_options?.include_usage) send([], usage(body, completionTokens));
    if (!aborted) res.end('data: [DONE]\n\n');
  }

  async function sendCompletion(
    res: ServerResponse,
    id: string,
    body: OpenAIChatRequest,
    item: OpenAIScriptItem,
    delayMs: number,
  ) {
    await sleep(delayMs);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        completionBody(id, body, item, `call_standin${String(counter).padStart(6, '0')}`),
      ),
    );
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
    setScript(next) {
      script = Array.isArray(next) ? [...next] : next;
    },
    remaining: () => (typeof script === 'function' ? Infinity : script.length),
    setDelays(next) {
      delays = next;
    },
    async stop() {
      tracked.destroyAll();
      await closeServer(server);
    },
  };
}
