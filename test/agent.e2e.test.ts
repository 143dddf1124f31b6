import { beforeAll, describe, expect, it } from 'vitest';
import { createRulesBrain } from '../src/agent/brains/index.js';
import { VOICED_RMS, windowRms } from './support/audio.js';
import type { CallResult } from './support/baresip.js';
import { agentLines, callAndRecord } from './support/call-record.js';
import { listen, referTo, say } from './support/calls.js';
import { startSippUas } from './support/sipp.js';
import { useStack, type StackHandle } from './support/stack.js';

/**
 * The caller starts talking this long after the answer: about 1.5 s into the greeting, which starts
 * some 0.4 s after the answer and lasts about 4 s.
 */
const BARGE_IN_AT_S = 2;

/**
 * The share of 20 ms windows in which the caller heard the agent, between `from` and `to`
 * seconds after the answer.
 */
function voicedShare(call: CallResult, from: number, to: number): number {
  const heard = call.heard!;
  // The recording starts with the first packet received, not at the answer.
  const offset = (call.timing.rxStarted! - call.timing.answered!) / 1000;
  const windows = windowRms(heard).slice(
    Math.max(0, Math.round((from - offset) * 50)),
    Math.max(0, Math.round((to - offset) * 50)),
  );
  return windows.filter((rms) => rms >= VOICED_RMS).length / Math.max(1, windows.length);
}

/**
 * Offline engines end to end: espeak-ng speech over G.722 → pocketsphinx → classifier → verb. Each
 * test asserts the agent's own record of its call (the transcript under the call's id) beside what
 * crossed the wire.
 */
describe('the agent on offline engines', () => {
  let stack: StackHandle;
  let helpdesk: string;
  beforeAll(async () => {
    stack = await useStack();
    helpdesk = stack.config.agent.handoff.target;
  });

  it('hands a caller who asks for a person to the helpdesk with a SIP REFER, and the helpdesk answers', async () => {
    const desk = startSippUas(5099);
    try {
      const { call, transcript } = await callAndRecord(stack, () =>
        say('I want to speak to a person'),
      );
      expect(call.established).toBe(true);
      expect(referTo(call.sipTrace)).toEqual([helpdesk]);
      // The caller's softphone followed the REFER and the helpdesk answered: a completed call.
      expect(call.sipTrace).toMatch(/^INVITE sip:helpdesk@127\.0\.0\.1:5099/m);
      expect(
        await Promise.race([desk.done, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]),
      ).toBe(0);
      // livekit-sip saw the NOTIFY 200 sipfrag, so this call's record says transferred.
      expect(transcript.outcome).toBe('transferred');
      expect(agentLines(transcript)).toContain(stack.config.agent.handoff.announce.en);
    } finally {
      desk.stop();
    }
  });

  it('hears a caller who asks for a person over the greeting: the greeting stops and a REFER follows', async () => {
    const desk = startSippUas(5099);
    try {
      const { call, transcript } = await callAndRecord(stack, () =>
        say('I want to speak to a person', { leadSeconds: BARGE_IN_AT_S }),
      );
      expect(referTo(call.sipTrace)).toEqual([helpdesk]);
      expect(agentLines(transcript)).toContain(stack.config.agent.handoff.announce.en);
      // The greeting (about 4 s, so playing until some 4.4 s after the answer) stopped soon after
      // the caller started talking over it: silent 0.8-1.6 s after the caller's onset. How soon
      // is measured in bench/barge-in (M5).
      expect(
        voicedShare(call, BARGE_IN_AT_S - 0.6, BARGE_IN_AT_S),
        'greeting playing',
      ).toBeGreaterThan(0.5);
      expect(
        voicedShare(call, BARGE_IN_AT_S + 0.8, BARGE_IN_AT_S + 1.6),
        'greeting cut',
      ).toBeLessThan(0.1);
    } finally {
      desk.stop();
    }
  });

  it('answers an FAQ question asked over the greeting', async () => {
    const { call, transcript } = await callAndRecord(stack, () =>
      say('what are the visiting hours', { leadSeconds: BARGE_IN_AT_S }),
    );
    expect(referTo(call.sipTrace)).toEqual([]);
    const faq = createRulesBrain(stack.config.agent.brain.rules).answer('visiting hours', 'en');
    expect(agentLines(transcript)).toContain(faq.text);
    expect(
      voicedShare(call, BARGE_IN_AT_S + 0.8, BARGE_IN_AT_S + 1.6),
      'greeting cut',
    ).toBeLessThan(0.1);
  });

  it('hands off on DTMF 0', async () => {
    const { call, transcript } = await callAndRecord(stack, () => listen(10, { dtmf: '0' }));
    expect(referTo(call.sipTrace)).toEqual([helpdesk]);
    expect(agentLines(transcript)).toContain(stack.config.agent.handoff.announce.en);
  });

  it('answers an FAQ question from the rules brain, with no REFER', async () => {
    const { call, transcript } = await callAndRecord(stack, () =>
      say('what are the visiting hours'),
    );
    expect(referTo(call.sipTrace)).toEqual([]);
    const faq = createRulesBrain(stack.config.agent.brain.rules).answer('visiting hours', 'en');
    expect(faq.kind).toBe('faq');
    expect(agentLines(transcript)).toContain(faq.text);
    expect(transcript.outcome).toBe('answered');
  });

  it('instructs an emergency caller to dial 112 without transferring (instruct mode)', async () => {
    const { call, transcript } = await callAndRecord(stack, () => say('this is an emergency'));
    expect(referTo(call.sipTrace)).toEqual([]);
    const instruct = stack.config.agent.emergency.instruct.en;
    expect(instruct).toContain('112');
    expect(agentLines(transcript)).toContain(instruct);
  });
});
