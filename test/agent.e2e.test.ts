import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { voicedSeconds } from './support/audio.js';
import { listen, referTo, say } from './support/calls.js';
import { startSippUas } from './support/sipp.js';
import { useStack, type StackHandle } from './support/stack.js';

/** Offline engines end to end: espeak-ng speech over G.722 → pocketsphinx → classifier → REFER on the wire. */
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
      const call = await say('I want to speak to a person');
      expect(call.established).toBe(true);
      expect(referTo(call.sipTrace)).toEqual([helpdesk]);
      // The caller's softphone followed the REFER and the helpdesk answered: a completed call.
      expect(call.sipTrace).toMatch(/^INVITE sip:helpdesk@127\.0\.0\.1:5099/m);
      expect(
        await Promise.race([desk.done, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]),
      ).toBe(0);
      // livekit-sip saw the NOTIFY 200 sipfrag and the agent recorded the outcome.
      const log = readFileSync(join(stack.logDir, 'agent-worker.log'), 'utf8');
      expect(log).toMatch(/"reason":"caller asked","result":"transferred"/);
    } finally {
      desk.stop();
    }
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
