import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { voicedSeconds } from './support/audio.js';
import { listen } from './support/calls.js';
import { E2E_ENV, ROOT, useStack, type StackHandle } from './support/stack.js';

function exportCaller(stack: StackHandle, number: string): Array<{ outcome: string | null }> {
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'switchboard.js'),
      'privacy',
      'export',
      '--caller',
      number,
      '--config',
      stack.configPath,
    ],
    {
      env: { ...process.env, ...E2E_ENV },
      encoding: 'utf8',
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { calls: Array<{ outcome: string | null }> }).calls;
}

describe('admission on a real call', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await useStack();
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

    const outcomes = exportCaller(stack, '02 555 01 42')
      .map((c) => c.outcome)
      .sort();
    expect(outcomes).toEqual(['answered', 'answered', 'rejected:rate_limited']);
  });
});
