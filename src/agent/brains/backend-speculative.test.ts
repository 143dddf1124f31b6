import { EventEmitter } from 'node:events';
import { llm, voice } from '@livekit/agents';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  startExampleBackend,
  type ExampleBackend,
  type ExampleBackendOptions,
} from '../../../examples/backend/server.js';
import { createLogger } from '../../telemetry/index.js';
import { createBackendBrain, type ConversationalIntent, type IntentInfo } from './backend.js';
import { TurnCommits, type ConversationEvents } from './backend-commits.js';
import { backendBrainConfigSchema } from './config.js';

const TOKEN = 'test-token-123';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function backend(opts: Partial<ExampleBackendOptions> = {}): Promise<ExampleBackend> {
  const server = await startExampleBackend({ token: TOKEN, deltaIntervalMs: 5, ...opts });
  cleanups.push(() => server.stop());
  return server;
}

/** A brain that follows a stand-in session: tests commit messages by emitting its event. */
async function brain(
  url: string,
  overrides: Record<string, unknown> = {},
  handledByAgent?: (text: string) => boolean,
) {
  const intents: Array<[ConversationalIntent, IntentInfo]> = [];
  const outcomes: string[] = [];
  const instance = createBackendBrain({
    config: backendBrainConfigSchema.parse({
      url,
      token: TOKEN,
      turnTimeoutMs: 1500,
      connectTimeoutMs: 1000,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      ...overrides,
    }),
    callId: 'call-abc',
    caller: null,
    language: 'en',
    logger: createLogger({ level: 'silent' }),
    onIntent: (intent, info) => intents.push([intent, info]),
    telemetry: { turn: (o) => outcomes.push(o), reconnect: () => {}, firstDelta: () => {} },
  });
  cleanups.push(() => instance.aclose());
  const session = new EventEmitter();
  instance.followCommits(session as unknown as ConversationEvents, { handledByAgent });
  expect(await instance.start()).toBe('ready');
  const commit = (message: llm.ChatMessage) =>
    session.emit(
      voice.AgentSessionEventTypes.ConversationItemAdded,
      voice.createConversationItemAddedEvent(message),
    );
  return { instance, intents, outcomes, commit };
}

/** A chat() for a caller message, read in the background; `text()` waits for the stream's end. */
function speak(instance: llm.LLM, text: string) {
  const message = llm.ChatMessage.create({ role: 'user', content: text });
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'assistant', content: 'Hello, how can I help?' });
  chatCtx.insert(message);
  const stream = instance.chat({ chatCtx });
  const deltas: string[] = [];
  let ended = false;
  const done = (async () => {
    for await (const chunk of stream) if (chunk.delta?.content) deltas.push(chunk.delta.content);
    ended = true;
  })();
  return {
    message,
    stream,
    deltas,
    ended: () => ended,
    text: async () => (await done, deltas.join('')),
  };
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

describe('speculative turns, v2 backend', () => {
  it('negotiates v2 and streams the reply early, but acts on the intent only after the commit', async () => {
    const server = await backend({
      reply: () => ({ text: 'Putting you through.', intent: 'escalate' }),
    });
    const { instance, intents, commit } = await brain(server.url);
    expect(instance.client.protocol).toBe(2);
    const turn = speak(instance, 'I want an operator');
    await vi.waitFor(() => expect(turn.deltas.join('')).toBe('Putting you through.'));
    await settle();
    // The whole reply is in, and still no intent and no commit at the backend.
    expect(intents).toEqual([]);
    expect(turn.ended()).toBe(false);
    expect(server.turns).toMatchObject([{ speculative: true, committed: false }]);
    commit(turn.message);
    expect(await turn.text()).toBe('Putting you through.');
    expect(intents).toEqual([['escalate', { turnId: 't1' }]]);
    await vi.waitFor(() =>
      expect(server.turns).toMatchObject([
        { speculative: true, committed: true, cancelled: false },
      ]),
    );
    expect(server.messages.map((m) => m.type)).toEqual([
      'session_start',
      'user_turn',
      'commit_turn',
    ]);
  });

  it('never fires the intent of a speculative turn that agents-js cancels, and cancels it at the backend', async () => {
    const server = await backend({
      reply: () => ({ text: 'Putting you through.', intent: 'escalate' }),
    });
    const { instance, intents, outcomes, commit } = await brain(server.url);
    const turn = speak(instance, 'I want an operator');
    await vi.waitFor(() => expect(turn.deltas.join('')).toBe('Putting you through.'));
    turn.stream.close();
    await settle();
    commit(turn.message); // too late: the turn is gone
    await settle();
    expect(intents).toEqual([]);
    expect(outcomes).toEqual(['discarded']);
    expect(server.turns).toMatchObject([{ speculative: true, committed: false, cancelled: true }]);
    expect(server.messages.map((m) => m.type)).toEqual([
      'session_start',
      'user_turn',
      'cancel_turn',
    ]);
  });

  it('discards a speculative turn when another caller message is committed instead', async () => {
    const server = await backend({
      reply: (text) =>
        text === 'I want an operator'
          ? { text: 'Putting you through.', intent: 'escalate' }
          : { text: 'We open at eight.', intent: 'answer' },
    });
    const { instance, intents, outcomes, commit } = await brain(server.url);
    const early = speak(instance, 'I want an operator');
    await vi.waitFor(() => expect(server.turns).toHaveLength(1));
    const longer = llm.ChatMessage.create({ role: 'user', content: 'I want an operator? No.' });
    commit(longer);
    await early.text(); // the stream ends without anyone closing it
    expect(intents).toEqual([]);
    // The committed message's own (normal) turn goes out as a plain turn.
    const plain = speak(instance, 'When do you open?');
    commit(plain.message);
    expect(await plain.text()).toBe('We open at eight.');
    expect(intents.map(([intent]) => intent)).toEqual(['answer']);
    expect(outcomes).toEqual(['discarded', 'answer']);
    expect(server.turns.map((t) => [t.text, t.speculative, t.committed, t.cancelled])).toEqual([
      ['I want an operator', true, false, true],
      ['When do you open?', false, true, false],
    ]);
  });

  it('sends a turn for a message committed before the stream runs as a plain turn', async () => {
    const server = await backend();
    const { instance, intents, commit } = await brain(server.url);
    const message = llm.ChatMessage.create({ role: 'user', content: 'What are your hours?' });
    commit(message);
    const chatCtx = llm.ChatContext.empty();
    chatCtx.insert(message);
    const deltas: string[] = [];
    for await (const chunk of instance.chat({ chatCtx })) deltas.push(chunk.delta?.content ?? '');
    expect(deltas.join('')).toBe('The helpdesk is open on weekdays from eight to six.');
    expect(intents.map(([intent]) => intent)).toEqual(['answer']);
    expect(server.turns).toMatchObject([{ speculative: false, committed: true }]);
    expect(server.messages.some((m) => m.type === 'commit_turn')).toBe(false);
  });

  it('holds a timed-out speculative turn: the fallback and its failure count only after the commit', async () => {
    const server = await backend({ script: [{ stall: true }] });
    const { instance, intents, outcomes, commit } = await brain(server.url, { turnTimeoutMs: 200 });
    const turn = speak(instance, 'Hello?');
    await settle(400);
    expect(intents).toEqual([]);
    expect(server.turns).toMatchObject([{ cancelled: true, committed: false }]);
    commit(turn.message);
    expect(await turn.text()).toMatch(/^Sorry, I can't answer that right now/);
    expect(intents).toEqual([['answer', { turnId: 't1', fallback: 'timeout' }]]);
    expect(outcomes).toEqual(['timeout']);
    // The backend dropped the turn on the timeout: there is nothing left to commit.
    expect(server.messages.some((m) => m.type === 'commit_turn')).toBe(false);
  });
});

describe('speculative turns across a reconnection', () => {
  it('sends an unanswered speculative turn again, still speculative, and commits it on the resumed session', async () => {
    const server = await backend({
      script: [{ drop: true }, { text: 'Putting you through.', intent: 'escalate' }],
    });
    const { instance, intents, commit } = await brain(server.url);
    const turn = speak(instance, 'I want an operator');
    await vi.waitFor(() => expect(turn.deltas.join('')).toBe('Putting you through.'));
    expect(intents).toEqual([]);
    commit(turn.message);
    await turn.text();
    expect(intents.map(([intent]) => intent)).toEqual(['escalate']);
    await vi.waitFor(() =>
      expect(server.turns.map((t) => [t.turnId, t.speculative, t.committed])).toEqual([
        ['t1', true, false],
        ['t1', true, true],
      ]),
    );
    expect(server.sessions.map((s) => s.resumed)).toEqual([false, true]);
  });
});

describe('speculative turns without a backend', () => {
  it('holds the fallback escalate of a refused backend until the commit, and drops it on a discard', async () => {
    const server = await backend();
    const intents: Array<[ConversationalIntent, IntentInfo]> = [];
    const instance = createBackendBrain({
      config: backendBrainConfigSchema.parse({
        url: server.url,
        token: 'wrong-token',
        escalateAfterFailures: 1,
      }),
      callId: 'call-abc',
      caller: null,
      language: 'en',
      logger: createLogger({ level: 'silent' }),
      onIntent: (intent, info) => intents.push([intent, info]),
    });
    cleanups.push(() => instance.aclose());
    const session = new EventEmitter();
    instance.followCommits(session as unknown as ConversationEvents);
    expect(await instance.start()).toBe('unauthorized');
    const discarded = speak(instance, 'I want an operator');
    await settle();
    discarded.stream.close();
    await settle();
    expect(intents).toEqual([]);
    const committed = speak(instance, 'I want an operator');
    await settle();
    expect(intents).toEqual([]);
    session.emit(
      voice.AgentSessionEventTypes.ConversationItemAdded,
      voice.createConversationItemAddedEvent(committed.message),
    );
    await committed.text();
    expect(intents).toEqual([['escalate', { turnId: 't2', fallback: 'unauthorized' }]]);
  });
});

describe('speculative turns the agent handles itself', () => {
  it('never sends words the agent acts on before their commit, even to a v2 backend', async () => {
    const server = await backend();
    const emergency = (text: string) => text.includes('emergency');
    const { instance, intents, commit } = await brain(server.url, {}, emergency);
    const discarded = speak(instance, 'this is an emergency');
    await settle(200);
    discarded.stream.close();
    const other = speak(instance, 'When do you open?');
    await vi.waitFor(() => expect(server.turns).toHaveLength(1));
    commit(other.message);
    await other.text();
    // Committed after all (the classifier let it through): sent then, as a plain turn.
    const late = speak(instance, 'an emergency exit question');
    await settle(200);
    commit(late.message);
    await late.text();
    expect(server.turns.map((t) => [t.text, t.speculative, t.committed])).toEqual([
      ['When do you open?', true, true],
      ['an emergency exit question', false, true],
    ]);
    expect(intents.map(([intent]) => intent)).toEqual(['answer', 'answer']);
  });
});

describe('speculative turns, v1 backend', () => {
  it('never sends a speculative turn: a discarded one never reaches the backend at all', async () => {
    const server = await backend({
      protocols: [1],
      reply: () => ({ text: 'Putting you through.', intent: 'escalate' }),
    });
    const { instance, intents, outcomes } = await brain(server.url);
    expect(instance.client.protocol).toBe(1);
    const turn = speak(instance, 'I want an operator');
    await settle(200);
    expect(turn.deltas).toEqual([]);
    turn.stream.close();
    await settle();
    expect(intents).toEqual([]);
    expect(outcomes).toEqual(['discarded']);
    expect(server.messages.map((m) => m.type)).toEqual(['session_start']);
  });

  it('sends a committed speculative turn as a plain v1 user_turn, then acts on its intent', async () => {
    const server = await backend({
      protocols: [1],
      reply: () => ({ text: 'Putting you through.', intent: 'escalate' }),
    });
    const { instance, intents, commit } = await brain(server.url);
    const turn = speak(instance, 'I want an operator');
    await settle(200);
    commit(turn.message);
    expect(await turn.text()).toBe('Putting you through.');
    expect(intents.map(([intent]) => intent)).toEqual(['escalate']);
    expect(server.messages.map((m) => m.type)).toEqual(['session_start', 'user_turn']);
    expect(server.messages[1]).not.toHaveProperty('speculative');
    // The session_start a v1 backend gets still says protocol 1.
    expect(server.messages[0]).toMatchObject({ protocol: 1, protocols: [1, 2] });
  });
});

describe('TurnCommits', () => {
  it('resolves true for the committed message, false for one another commit replaced', async () => {
    const commits = new TurnCommits();
    const session = new EventEmitter();
    const stop = commits.follow(session as unknown as ConversationEvents);
    const a = llm.ChatMessage.create({ role: 'user', content: 'a' });
    const b = llm.ChatMessage.create({ role: 'user', content: 'a b' });
    const waitA = commits.pending(a.id)!;
    const emit = (item: llm.ChatMessage) =>
      session.emit('conversation_item_added', voice.createConversationItemAddedEvent(item));
    emit(llm.ChatMessage.create({ role: 'assistant', content: 'not a caller turn' }));
    emit(b);
    expect(await waitA.committed).toBe(false);
    expect(commits.pending(b.id)).toBeUndefined();
    const c = llm.ChatMessage.create({ role: 'user', content: 'c' });
    const waitC = commits.pending(c.id)!;
    emit(c);
    expect(await waitC.committed).toBe(true);
    stop();
    expect(session.listenerCount('conversation_item_added')).toBe(0);
  });
});

describe('speculative turns through an AgentSession', () => {
  it('a normal turn is committed before its stream runs, so it goes out as a plain turn', async () => {
    const server = await backend();
    const intents: ConversationalIntent[] = [];
    const instance = createBackendBrain({
      config: backendBrainConfigSchema.parse({ url: server.url, token: TOKEN }),
      callId: 'call-abc',
      caller: null,
      language: 'en',
      logger: createLogger({ level: 'silent' }),
      onIntent: (intent) => intents.push(intent),
    });
    cleanups.push(() => instance.aclose());
    const session = new voice.AgentSession({ llm: instance });
    instance.followCommits(session);
    await session.start({ agent: new voice.Agent({ instructions: '' }) });
    cleanups.push(() => session.close());
    await session.run({ userInput: 'I want to speak to a person' }).wait();
    expect(intents).toEqual(['escalate']);
    expect(server.turns).toMatchObject([{ speculative: false, committed: true }]);
  });
});
