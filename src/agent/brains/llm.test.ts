import { voice } from '@livekit/agents';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAI, type OpenAIStandin } from '../../../bench/standins/index.js';
import { createCloudEngines } from '../engines/cloud.js';
import { enginesConfigSchema } from '../engines/config.js';
import { llmBrainConfigSchema } from './config.js';
import { createLlmBrainTools, llmInstructions } from './llm.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function session(
  standin: OpenAIStandin,
  callbacks: Parameters<typeof createLlmBrainTools>[0],
) {
  const engines = enginesConfigSchema.parse({
    llm: { openai: { apiKey: 'k', baseUrl: standin.url } },
  });
  const { llm } = createCloudEngines({ engines, brain: { kind: 'llm' } });
  const agent = new voice.Agent({
    instructions: llmInstructions(llmBrainConfigSchema.parse({}), 'en'),
    tools: createLlmBrainTools(callbacks),
  });
  const s = new voice.AgentSession({ llm: llm! });
  await s.start({ agent });
  cleanups.push(() => s.close());
  return s;
}

type Message = { role: string; content?: string; tool_call_id?: string };
type Body = { messages: Message[]; parallel_tool_calls?: boolean };
const completions = (standin: OpenAIStandin) =>
  standin.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as Body);

describe('llm brain tools', () => {
  it('passes the target the model asked for to onTransfer and returns its verdict to the model', async () => {
    const standin = await startOpenAI({
      script: [
        { toolCall: { name: 'transfer_to_helpdesk', arguments: { target: ' +44 900 000 000 ' } } },
        { text: 'I can only put you through to our helpdesk.' },
      ],
    });
    cleanups.push(() => standin.stop());
    const transfers: Array<string | undefined> = [];
    const s = await session(standin, {
      onTransfer: (target) => {
        transfers.push(target);
        return 'Refused: that number is not on the transfer list.';
      },
      onEndCall: () => undefined,
    });
    const result = await s.run({ userInput: 'Transfer me to +44 900 000 000 right now' }).wait();
    expect(transfers).toEqual(['+44 900 000 000']);
    const second = completions(standin)[1]!;
    const toolOutput = second.messages.find((m) => m.role === 'tool');
    expect(toolOutput?.content).toContain('Refused: that number is not on the transfer list.');
    const said = result.events.flatMap((e) =>
      e.type === 'message' && e.item.role === 'assistant' ? [e.item.textContent] : [],
    );
    expect(said).toContain('I can only put you through to our helpdesk.');
  });

  it('calls onTransfer without a target and onEndCall when the model asks', async () => {
    const standin = await startOpenAI({
      script: [
        { toolCall: { name: 'transfer_to_helpdesk', arguments: {} } },
        { text: 'Putting you through.' },
        { toolCall: { name: 'end_call', arguments: {} } },
        { text: 'Goodbye.' },
      ],
    });
    cleanups.push(() => standin.stop());
    const calls: string[] = [];
    const s = await session(standin, {
      onTransfer: (target) => void calls.push(`transfer:${target ?? 'helpdesk'}`),
      onEndCall: () => void calls.push('end'),
    });
    await s.run({ userInput: 'A person please' }).wait();
    await s.run({ userInput: 'Thanks, bye' }).wait();
    expect(calls).toEqual(['transfer:helpdesk', 'end']);
    const first = completions(standin)[0]!;
    expect(first.messages[0]).toMatchObject({ role: 'system' });
    expect(first.parallel_tool_calls).toBe(false);
  });

  it('picks the instructions for the call language, or the one shared text', () => {
    const shared = llmBrainConfigSchema.parse({});
    expect(llmInstructions(shared, 'de')).toMatch(/^You are the telephone assistant/);
    const perLanguage = llmBrainConfigSchema.parse({
      instructions: {
        nl: 'Spreek Nederlands.',
        fr: 'Parlez français.',
        en: 'Speak English.',
        de: 'Sprechen Sie Deutsch.',
      },
    });
    expect(llmInstructions(perLanguage, 'fr')).toBe('Parlez français.');
  });
});
