import { beforeAll, describe, expect, it } from 'vitest';
import { voicedSeconds } from './support/audio.js';
import { listen, referTo, say } from './support/calls.js';
import { useStack, type StackHandle } from './support/stack.js';

/** Offline engines end to end: espeak-ng speech over G.722 → pocketsphinx → classifier → REFER on the wire. */
describe('the agent on offline engines', () => {
  let stack: StackHandle;
  let helpdesk: string;
  beforeAll(async () => {
    stack = await useStack();
    helpdesk = stack.config.agent.handoff.target;
  });

  it('hands a caller who asks for a person to the helpdesk with a SIP REFER', async () => {
    const call = await say('I want to speak to a person');
    expect(call.established).toBe(true);
    expect(referTo(call.sipTrace)).toEqual([helpdesk]);
  });

  it('hands off on DTMF 0', async () => {
    const call = await listen(10, { dtmf: '0' });
    expect(referTo(call.sipTrace)).toEqual([helpdesk]);
  });

  it('answers an FAQ question from the rules brain, heard as speech, with no REFER', async () => {
    const greetingOnly = await listen(9);
    const call = await say('what are the visiting hours');
    expect(referTo(call.sipTrace)).toEqual([]);
    expect(voicedSeconds(call.heard!)).toBeGreaterThan(voicedSeconds(greetingOnly.heard!) + 1.5);
  });

  it('instructs an emergency caller to dial 112 without transferring (instruct mode)', async () => {
    const greetingOnly = await listen(9);
    const call = await say('this is an emergency');
    expect(referTo(call.sipTrace)).toEqual([]);
    expect(voicedSeconds(call.heard!)).toBeGreaterThan(voicedSeconds(greetingOnly.heard!) + 1.5);
  });
});
