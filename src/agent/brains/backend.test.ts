import { llm, voice } from '@livekit/agents';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  startExampleBackend,
  type ExampleBackend,
  type ExampleReply,
} from '../../../examples/backend/server.js';
import { freePort } from '../../../test/harness/free-port.js';
import { createLogger } from '../../telemetry/index.js';
import {
  createBackendBrain,
  type BackendLLM,
  type ConversationalIntent,
  type IntentInfo,
} from './backend.js';
import { backendBrainConfigSchema, brainConfigSchema } from './config.js';

const TOKEN = 'test-token-123';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function backend(script: ExampleReply[] = [], port?: number): Promise<ExampleBackend> {
  const server = await startExampleBackend({
    token: TOKEN,
    script,
    deltaIntervalMs: 5,
    ...(port ? { port } : {}),
  });
  cleanups.push(() => server.stop());
  return server;
}

function brain(
  url: string,
  overrides: Record<string, unknown> = {},
  language: 'nl' | 'fr' | 'en' | 'de' = 'en',
) {
  const intents: Array<[ConversationalIntent, IntentInfo]> = [];
  const config = backendBrainConfigSchema.parse({
    url,
    token: TOKEN,
    turnTimeoutMs: 1500,
    connectTimeoutMs: 1000,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    ...overrides,
  });
  const instance = createBackendBrain({
    config,
    callId: 'call-abc',
    caller: 'k1_3f9a0c',
    language,
    logger: createLogger({ level: 'silent' }),
    onIntent: (intent, info) => intents.push([intent, info]),
  });
  cleanups.push(() => instance.aclose());
  return { instance, intents };
}

async function turn(instance: BackendLLM, text: string): Promise<string[]> {
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'assistant', content: 'Hello, how can I help?' });
  chatCtx.addMessage({ role: 'user', content: text });
  const deltas: string[] = [];
  for await (const chunk of instance.chat({ chatCtx })) {
    if (chunk.delta?.content) deltas.push(chunk.delta.content);
  }
  return deltas;
}

describe('backend brain config', () => {
  it('needs a URL and a token for kind backend, and wss:// off loopback', () => {
    const issues = (brain: unknown) =>
      brainConfigSchema.safeParse(brain).error?.issues.map((i) => [i.path.join('.'), i.message]) ??
      [];
    expect(issues({ kind: 'backend' })).toEqual([
      ['backend.url', 'required when agent.brain.kind is backend; set the orchestrator wss:// URL'],
      ['backend.token', 'required when agent.brain.kind is backend; set it to ${BACKEND_TOKEN}'],
    ]);
    expect(
      issues({
        kind: 'backend',
        backend: { url: 'ws://orchestrator.example', token: 't' },
      })[0]?.[1],
    ).toMatch(/^use wss:\/\//);
    expect(
      issues({ kind: 'backend', backend: { url: 'ws://127.0.0.1:8090', token: 't' } }),
    ).toEqual([]);
    expect(brainConfigSchema.parse({}).kind).toBe('rules');
  });
});

describe('backend brain', () => {
  it('runs a full turn: session_start, user_turn, streamed deltas, reply_end with the intent', async () => {
    const server = await backend([{ text: 'The helpdesk opens at eight.', intent: 'answer' }]);
    const { instance, intents } = brain(server.url);
    expect(await instance.start()).toBe('ready');
    const deltas = await turn(instance, 'When do you open?');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('The helpdesk opens at eight.');
    expect(intents).toEqual([['answer', { turnId: 't1' }]]);
    expect(server.sessions).toEqual([
      {
        sessionId: instance.client.sessionId,
        callId: 'call-abc',
        caller: 'k1_3f9a0c',
        resumed: false,
      },
    ]);
    expect(server.turns).toMatchObject([
      { turnId: 't1', text: 'When do you open?', language: 'en', cancelled: false },
    ]);
  });

  it('reports escalate when the caller asks for a human', async () => {
    const server = await backend();
    const { instance, intents } = brain(server.url, {}, 'nl');
    await instance.start();
    const deltas = await turn(instance, 'Ik wil met een mens praten');
    expect(deltas.join('')).toBe('Ik verbind u door met een medewerker.');
    expect(intents.map(([intent]) => intent)).toEqual(['escalate']);
  });

  it('is refused with a bad token, does not retry, and the caller hears the fallback', async () => {
    const server = await backend();
    const config = { token: 'wrong-token' };
    const { instance, intents } = brain(server.url, config);
    expect(await instance.start()).toBe('unauthorized');
    const deltas = await turn(instance, 'Hello?');
    expect(deltas.join('')).toMatch(/^Sorry, I can't answer that right now/);
    expect(intents).toEqual([['answer', { turnId: 't1', fallback: 'unauthorized' }]]);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.rejected).toBe(1);
    expect(server.sessions).toHaveLength(0);
  });

  it('falls back on a turn timeout, cancels the turn, and escalates on the second failure', async () => {
    const server = await backend([{ stall: true }, { stall: true }]);
    const { instance, intents } = brain(server.url, { turnTimeoutMs: 300 }, 'fr');
    await instance.start();
    // The fallback comes from the timeout (intent info says so); bench/timeouts measures when.
    const first = await turn(instance, 'Allô?');
    expect(first.join('')).toMatch(/^Désolé, je ne peux pas répondre/);
    const second = await turn(instance, 'Il y a quelqu’un?');
    expect(second).toEqual([]);
    expect(intents.map(([intent, info]) => [intent, info.fallback])).toEqual([
      ['answer', 'timeout'],
      ['escalate', 'timeout'],
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.turns.map((t) => t.cancelled)).toEqual([true, true]);
  });

  it('sends an unanswered turn again after the connection drops', async () => {
    const server = await backend([{ drop: true }, { text: 'Back again.' }]);
    const { instance, intents } = brain(server.url);
    await instance.start();
    expect((await turn(instance, 'Are you there?')).join('')).toBe('Back again.');
    expect(intents.map(([i]) => i)).toEqual(['answer']);
    expect(server.sessions.map((s) => s.resumed)).toEqual([false, true]);
    expect(server.turns.map((t) => t.turnId)).toEqual(['t1', 't1']);
  });

  it('reconnects and resumes the session after the backend restarts', async () => {
    const port = await freePort();
    const first = await backend([], port);
    const { instance } = brain(first.url);
    expect(await instance.start()).toBe('ready');
    await first.stop();
    const second = await backend([{ text: 'I am back.' }], port);
    expect((await turn(instance, 'Hello again')).join('')).toBe('I am back.');
    expect(second.sessions).toEqual([
      expect.objectContaining({ sessionId: instance.client.sessionId, resumed: true }),
    ]);
  });

  it('cancels the turn on barge-in and reports no intent', async () => {
    const server = await startExampleBackend({ token: TOKEN, deltaIntervalMs: 100 });
    cleanups.push(() => server.stop());
    const { instance, intents } = brain(server.url);
    await instance.start();
    const chatCtx = llm.ChatContext.empty();
    chatCtx.addMessage({ role: 'user', content: 'What are your opening hours?' });
    const stream = instance.chat({ chatCtx });
    const firstChunk = await stream.next();
    expect(firstChunk.value?.delta?.content).toBe('The ');
    stream.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.turns[0]?.cancelled).toBe(true);
    expect(intents).toEqual([]);
  });

  it('ends the session with the reason', async () => {
    const server = await backend();
    const { instance } = brain(server.url);
    await instance.start();
    await instance.end('transferred');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.sessions[0]?.ended).toBe('transferred');
  });

  it('drives an AgentSession turn: the reply is the assistant message and escalate is reported', async () => {
    const server = await backend();
    const { instance, intents } = brain(server.url);
    const session = new voice.AgentSession({ llm: instance });
    await session.start({ agent: new voice.Agent({ instructions: '' }) });
    cleanups.push(() => session.close());
    // The session's prewarm opened the backend session; no explicit start() was needed.
    await vi.waitFor(() => expect(server.sessions).toHaveLength(1));
    const result = await session.run({ userInput: 'I want to speak to a person' }).wait();
    const said = result.events.flatMap((e) =>
      e.type === 'message' && e.item.role === 'assistant' ? [e.item.textContent] : [],
    );
    expect(said).toEqual(['I will put you through to a colleague.']);
    expect(intents.map(([intent]) => intent)).toEqual(['escalate']);
  });
});
