import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDeepgram,
  startElevenLabs,
  startOpenAI,
  type DeepgramStandin,
  type ElevenLabsStandin,
  type OpenAIStandin,
} from '../bench/standins/index.js';
import { startExampleBackend, type ExampleBackend } from '../examples/backend/server.js';
import { REFUSED_TOOL_OUTPUT } from '../src/agent/index.js';
import type { OpenAIChatRequest } from '../bench/standins/openai-format.js';
import { voicedSeconds } from './support/audio.js';
import { listen, referTo, say } from './support/calls.js';
import { E2E_ENV, ROOT, useStack, type StackHandle } from './support/stack.js';

const BACKEND_CONFIG = join(ROOT, 'test', 'e2e', 'cloud-backend.e2e.yaml');
const LLM_CONFIG = join(ROOT, 'test', 'e2e', 'cloud-llm.e2e.yaml');

/** Cloud engines through the official plugins against local stand-ins speaking the vendors' wire protocols. */
describe('the agent on cloud engines (stand-ins)', () => {
  let deepgram: DeepgramStandin;
  let elevenlabs: ElevenLabsStandin;
  let openai: OpenAIStandin;
  let backend: ExampleBackend;
  let stack: StackHandle;

  beforeAll(async () => {
    deepgram = await startDeepgram({ port: 18601 });
    elevenlabs = await startElevenLabs({ port: 18602 });
    backend = await startExampleBackend({ token: 'e2e-fake-backend-token', port: 18603 });
    openai = await startOpenAI({ port: 18604 });
    stack = await useStack(BACKEND_CONFIG);
  });
  afterAll(async () => {
    await Promise.all([deepgram.stop(), elevenlabs.stop(), backend.stop(), openai.stop()]);
  });

  it('speaks the backend answer, then hands off with a REFER when the backend escalates', async () => {
    const greetingOnly = await listen(8);
    deepgram.setScript([
      { transcript: 'what are the visiting hours', language: 'en' },
      { transcript: 'I have a complicated question about my bill', language: 'en' },
    ]);
    backend.setScript([
      {
        text: 'Visiting hours are from two in the afternoon until eight in the evening.',
        intent: 'answer',
      },
      { text: 'Let me find a colleague for you.', intent: 'escalate' },
    ]);
    const turnsBefore = backend.turns.length;
    const call = await say(['hello there, I have a question', 'and one more question please'], {
      waitSeconds: 12,
    });
    expect(backend.turns.slice(turnsBefore).map((t) => t.text)).toEqual(
      expect.arrayContaining(['what are the visiting hours']),
    );
    expect(voicedSeconds(call.heard!)).toBeGreaterThan(voicedSeconds(greetingOnly.heard!) + 1);
    expect(referTo(call.sipTrace)).toEqual([stack.config.agent.handoff.target]);
  });

  it.each([
    ['nl', 'ik wil met een mens praten'],
    ['fr', "je voudrais parler à quelqu'un"],
    ['de', 'ich möchte mit einem Menschen sprechen'],
  ])('hands off a caller who asks for a person in %s', async (language, transcript) => {
    deepgram.setScript([{ transcript, language }]);
    const synthesesBefore = elevenlabs.syntheses.length;
    const call = await say('hello, hello');
    expect(referTo(call.sipTrace)).toEqual([stack.config.agent.handoff.target]);
    // The hand-off line is said in the caller's language, by a voice speaking that language.
    const announce = stack.config.agent.handoff.announce[language as 'nl' | 'fr' | 'de'];
    expect(
      elevenlabs.syntheses
        .slice(synthesesBefore)
        .filter((s) => announce.startsWith(s.text.slice(0, 20)))
        .map((s) => s.languageCode),
    ).toEqual([language]);
  });

  it('transfers an emergency to the emergency target in transfer mode, without waiting on the backend', async () => {
    deepgram.setScript([{ transcript: 'this is an emergency', language: 'en' }]);
    const turnsBefore = backend.turns.length;
    const call = await say('hello, hello');
    expect(referTo(call.sipTrace)).toEqual([stack.config.agent.emergency.target]);
    expect(backend.turns.length, 'the emergency turn never reached the brain').toBe(turnsBefore);
  });

  it('refuses the third call of a caller without contacting any vendor', async () => {
    // Start from an empty window for this caller, whatever earlier suites did: GDPR erasure also
    // deletes the caller's rate-limit entries.
    const erased = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'switchboard.js'),
        'privacy',
        'erase',
        '--caller',
        '+3225550142',
        '--config',
        BACKEND_CONFIG,
      ],
      {
        env: { ...process.env, ...E2E_ENV },
        encoding: 'utf8',
      },
    );
    expect(erased.status, erased.stderr).toBe(0);
    await listen(5, { as: 'callerA' });
    await listen(5, { as: 'callerA' });
    const before = {
      stt: deepgram.connections,
      tts: elevenlabs.connections,
      backend: backend.connections,
    };
    const third = await listen(15, { as: 'callerA' });
    expect(
      third.established,
      third.lines
        .map((l) => l.text)
        .join('\n')
        .slice(-3000),
    ).toBe(true);
    expect(
      voicedSeconds(third.heard!),
      'the pre-synthesised rejection prompt is heard',
    ).toBeGreaterThan(3);
    expect({
      stt: deepgram.connections,
      tts: elevenlabs.connections,
      backend: backend.connections,
    }).toEqual(before);
  });

  describe('with the LLM brain', () => {
    beforeAll(async () => {
      stack = await useStack(LLM_CONFIG);
    });

    it('refuses a transfer the LLM asks for to a number outside the allowlist: no REFER, the caller hears a refusal', async () => {
      deepgram.setScript([
        { transcript: 'please connect me to my cousin in London', language: 'en' },
      ]);
      openai.setScript([
        { toolCall: { name: 'transfer_to_helpdesk', arguments: { target: '+44 9000 000000' } } },
        {
          text: 'I cannot transfer you to that number, but I can put you through to the helpdesk.',
        },
      ]);
      const greetingOnly = await listen(8);
      const requestsBefore = openai.requests.length;
      const call = await say('hello, could you connect me please');
      expect(referTo(call.sipTrace)).toEqual([]);
      // The tool ran and refused: the model's follow-up request carries the tool's refusal.
      expect([...new Set(toolOutputs(openai.requests.slice(requestsBefore)))]).toEqual([
        JSON.stringify(REFUSED_TOOL_OUTPUT),
      ]);
      expect(voicedSeconds(call.heard!)).toBeGreaterThan(voicedSeconds(greetingOnly.heard!) + 1);
    });

    it('transfers the caller when the LLM asks for the helpdesk: a REFER from inside the tool', async () => {
      deepgram.setScript([{ transcript: 'can I talk to the helpdesk please', language: 'en' }]);
      openai.setScript([
        { toolCall: { name: 'transfer_to_helpdesk', arguments: {} } },
        { text: 'You are being transferred.' },
      ]);
      const call = await say('hello, could you connect me please');
      expect(referTo(call.sipTrace)).toEqual([stack.config.agent.handoff.target]);
    });
  });
});

/** The tool results the model was sent back, across the stand-in's requests. */
function toolOutputs(requests: Array<{ body?: unknown }>): unknown[] {
  return requests.flatMap((r) =>
    ((r.body as OpenAIChatRequest | undefined)?.messages ?? [])
      .filter((m) => m.role === 'tool')
      .map((m) => m.content),
  );
}
