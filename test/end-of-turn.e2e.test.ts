import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRulesBrain } from '../src/agent/brains/index.js';
import { readCallEvents, turnStagesMs } from './support/call-events.js';
import { agentLines, callAndRecord } from './support/call-record.js';
import { referTo, say } from './support/calls.js';
import { ROOT, useStack, type StackHandle } from './support/stack.js';

const CONFIG = join(ROOT, 'test', 'e2e', 'end-of-turn.e2e.yaml');

/**
 * `agent.endOfTurn.detector: audio-model` on a real call (offline engines over G.722): the local
 * model decides when the caller's turn ends. It commits after `minDelayMs` when p(end) reaches the
 * language's threshold and after `maxDelayMs` when not; the fixed VAD window it replaces commits
 * after `agent.endpointingMs`. Which of the two the model picks for espeak-ng's voice is its call
 * (measured: p(end) 0.24 against en's 0.36, so it waits), so the test asserts the policy, not it.
 */
describe('the audio end-of-turn model on a real call', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await useStack(CONFIG);
  });

  it("commits the caller's turn when the model's endpointing says, and answers it", async () => {
    const since = Date.now();
    const { call, transcript } = await callAndRecord(stack, () =>
      say('what are the visiting hours'),
    );
    expect(referTo(call.sipTrace)).toEqual([]);
    const faq = createRulesBrain(stack.config.agent.brain.rules).answer('visiting hours', 'en');
    expect(agentLines(transcript)).toContain(faq.text);

    const { agent, redis, deployment } = stack.config;
    const turns = turnStagesMs(
      await readCallEvents(redis.url, deployment, since),
      transcript.callId,
    );
    expect(turns.length, 'the job reported the turn').toBeGreaterThan(0);
    // From the caller's last speech to the commit (the VAD window alone measures 504 ms).
    const endOfTurn = turns[0]!.end_of_turn!;
    const { minDelayMs, maxDelayMs } = agent.endOfTurn;
    const nearest = Math.min(Math.abs(endOfTurn - minDelayMs), Math.abs(endOfTurn - maxDelayMs));
    expect(
      nearest,
      `end of turn ${endOfTurn} ms: the model's ${minDelayMs} or ${maxDelayMs}`,
    ).toBeLessThan(100);
    expect(Math.abs(endOfTurn - agent.endpointingMs)).toBeGreaterThan(150);
  });
});
