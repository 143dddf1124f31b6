import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listen, say, sipMessages, WAV_DIR } from './support/calls.js';
import { findAudioFiles, scanForPhoneNumbers } from './support/leak-scan.js';
import { eraseCaller, exportCalls } from './support/privacy-cli.js';
import { startSippUas } from './support/sipp.js';
import { allLogLines, ROOT, useStack, type StackHandle } from './support/stack.js';

const CALLER = '+3225550143';

/** Every line of every log under the run dir: the children's and `up`'s own (`up.log`). */
describe('privacy on real calls', () => {
  let stack: StackHandle;
  const since = Date.now();
  beforeAll(async () => {
    stack = await useStack();
    // The suite counts this caller's three calls from zero, whatever ran before.
    eraseCaller(stack, CALLER);
  });

  it('keeps the caller number out of every log line, though the INVITE carried it, and writes no audio file', async () => {
    const answered = await listen(6, { as: 'callerB' });
    const desk = startSippUas(5099);
    const transferred = await say('I want to speak to a person', { as: 'callerB' }).finally(() =>
      desk.stop(),
    );
    const rejected = await listen(8, { as: 'callerB' });
    expect([answered, transferred, rejected].every((c) => c.established)).toBe(true);

    const invite = sipMessages(answered.sipTrace, 'INVITE')[0] ?? '';
    expect(invite).toMatch(/^From: .*\+3225550143@/m);

    const lines = allLogLines(stack);
    expect(lines.length).toBeGreaterThan(50);
    // `up` itself (control plane, call flows, reconciler) logs there too, and is scanned with the rest.
    const upLog = join(stack.logDir, 'up.log');
    expect(existsSync(upLog), 'up writes <run dir>/logs/up.log').toBe(true);
    expect(readFileSync(upLog, 'utf8')).toMatch(/"msg":"starting stack"/);
    const findings = scanForPhoneNumbers(
      lines,
      [CALLER, '3225550143', '025550143', '02 555 01 43'],
      {
        allow: [stack.config.agent.handoff.target.replace('tel:', '')],
      },
    );
    expect(findings).toEqual([]);

    // The caller's own input WAVs are fixtures the softphone plays, not recordings.
    const audio = findAudioFiles([ROOT, tmpdir(), homedir()], since, { exclude: [WAV_DIR] });
    expect(audio).toEqual([]);
  });

  it('exports the transcript right after the call, and retention removes it', async () => {
    const before = {
      calls: exportCalls<{ outcome: string; turns: unknown[] }>(stack, '02 555 01 43'),
    };
    // The hand-off call ends transferred when the helpdesk answers (the agent suite asserts that);
    // here it only has to be exported with the other two.
    const outcomes = before.calls.map((c) => c.outcome).sort();
    expect(outcomes).toHaveLength(3);
    expect(outcomes[0]).toBe('answered');
    expect(outcomes).toContain('rejected:rate_limited');
    expect(outcomes.filter((o) => o === 'answered' || o === 'transferred')).toHaveLength(2);
    expect(before.calls.some((c) => c.turns.length > 0)).toBe(true);

    // The e2e config keeps transcripts 60 s; Redis expires them by itself.
    const deadline = Date.now() + 90_000;
    let left = before.calls.length;
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2_000));
      left = exportCalls(stack, CALLER).length;
    }
    expect(left).toBe(0);
  });
});
