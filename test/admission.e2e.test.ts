import { beforeAll, describe, expect, it } from 'vitest';
import { voicedSeconds } from './support/audio.js';
import { listen, TRUNKS } from './support/calls.js';
import { eraseCaller, exportCalls } from './support/privacy-cli.js';
import { useStack, type StackHandle } from './support/stack.js';

describe('admission on a real call', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await useStack();
    // This suite counts caller A's calls from zero, whatever other suites or earlier runs did.
    eraseCaller(stack, TRUNKS.callerA.username);
  });

  it('refuses the third call of one caller within the hour with the spoken prompt, then hangs up', async () => {
    // The e2e config allows 2 calls per caller per hour; caller-a's user part is its number.
    const first = await listen(6, { as: 'callerA' });
    const second = await listen(6, { as: 'callerA' });
    expect(first.established && second.established).toBe(true);

    const third = await listen(30, { as: 'callerA' });
    expect(third.established).toBe(true);
    expect(voicedSeconds(third.heard!), 'the rejection prompt is heard').toBeGreaterThan(3);
    // The agent ends the call after the prompt, long before the caller's 30 s of silence run out.
    expect(third.timing.ended! - third.timing.answered!).toBeLessThan(25_000);
    expect(third.sipTrace).toMatch(/^BYE sip:/m);

    const outcomes = exportCalls(stack, '02 555 01 42')
      .map((c) => c.outcome)
      .sort();
    expect(outcomes).toEqual(['answered', 'answered', 'rejected:rate_limited']);
  });
});
