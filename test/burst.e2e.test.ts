import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from './support/caller-fleet.js';
import {
  BURST_LINE,
  burstNumber,
  describeCall,
  outcomeCounts,
  runBurst,
  waitQuiet,
  type BurstResult,
} from './support/burst.js';
import { scanForPhoneNumbers } from './support/leak-scan.js';
import { ROOT, startUp, stopStack, type StackHandle } from './support/stack.js';

/**
 * Issue 12, target 1 (SPEC M6) on a stack of its own (test/e2e/burst.e2e.yaml), at the size a
 * 2-core CI machine carries with offline engines: 4 callers within 2 s, then 8 within 4 s over an
 * admission cap of 4 (at 10 over a cap of 5, a loaded run already saw a job's track publication
 * time out). The SPEC's 20 and 40, and the 2 s figure, are the bench's (bench/burst); this
 * test prints its figures and asserts the behaviour with bounds a loaded machine keeps: every
 * caller answered and hearing a voice, nobody left ringing, every outcome in the export.
 */
const SMALL = { calls: 4, spreadMs: 2000 };
const OVER = { calls: 8, spreadMs: 4000 };
const GREETING_BOUND_MS = 10_000;
/** A caller still ringing this long after the INVITE gives up (CANCEL): the "rings forever" bound. */
const RING_BOUND_S = 20;
/** Seconds the over-capacity prompt takes, with margin: callers listen that long. */
const PROMPT_LISTEN_S = 14;

function report(label: string, r: BurstResult): string {
  const voice = r.calls.flatMap((c) => (c.voiceMs === undefined ? [] : [c.voiceMs]));
  const answer = r.calls.flatMap((c) => (c.answerMs === undefined ? [] : [c.answerMs]));
  const within = r.calls.filter((c) => c.voiceMs !== undefined && c.voiceMs <= 2000).length;
  return [
    `[burst] ${label}: INVITEs over ${Math.round(r.inviteSpreadMs)} ms, answered ${r.summary.answered}/${r.calls.length}, ` +
      `voice within 2 s of the INVITE ${within}/${r.calls.length}, export ${JSON.stringify(outcomeCounts(r.calls))}`,
    `[burst]   INVITE→200 OK p50/p95/max ${percentile(answer, 50)}/${percentile(answer, 95)}/${answer.length ? Math.max(...answer) : '-'} ms; ` +
      `INVITE→voice p50/p95/max ${percentile(voice, 50)}/${percentile(voice, 95)}/${voice.length ? Math.max(...voice) : '-'} ms`,
    `[burst]   job processes ${r.cost.idleProcesses} → ${r.cost.peakProcesses}, job CPU ${(r.cost.jobCpuSeconds / Math.max(1, r.calls.filter((c) => c.outcome !== 'none').length)).toFixed(2)} s per handled call, ` +
      `softphones ${r.fleetCpuSeconds.softphones.toFixed(1)} CPU-s, load ${r.loadAverage}`,
    ...r.calls.map((c) => `[burst]   ${describeCall(c)}`),
  ].join('\n');
}

describe('a burst of callers (issue 12, target 1)', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await startUp(join(ROOT, 'test', 'e2e', 'burst.e2e.yaml'));
  });
  afterAll(async () => {
    if (stack) await stopStack(stack);
  });

  it(`answers ${SMALL.calls} callers arriving within 2 s (G.711 and G.722), and every one hears the greeting`, async () => {
    expect(await waitQuiet(stack), 'the worker is idle with its warm pool').toBe(true);
    const r = await runBurst(stack, {
      ...SMALL,
      spacing: 'random',
      seed: 12,
      listenSeconds: 8,
      ringTimeoutSeconds: RING_BOUND_S,
      firstCaller: 0,
      withinMs: 2000,
      drainMs: 15_000,
    });
    const text = report(`${SMALL.calls} in 2 s`, r);
    console.log(text);
    expect(
      r.calls.filter((c) => !c.answered || c.voiceMs === undefined).map(describeCall),
      'callers never answered or answered into silence',
    ).toEqual([]);
    expect(
      r.calls.filter((c) => c.voiceMs! > GREETING_BOUND_MS).map(describeCall),
      `callers greeted later than ${GREETING_BOUND_MS} ms after their INVITE`,
    ).toEqual([]);
    expect(
      new Set(r.calls.map((c) => c.heardRate)),
      'G.722 (16 kHz) and G.711 (8 kHz) in use',
    ).toEqual(new Set([8000, 16000]));
    // A greeted caller stays on the line; the agent hangs up only on a refused one.
    expect(r.calls.filter((c) => c.hungUpByAgent).map(describeCall)).toEqual([]);
    expect(outcomeCounts(r.calls)).toEqual({ answered: SMALL.calls });
  }, 150_000);

  it(
    `${OVER.calls} callers within 4 s over a cap of 4: each is greeted or hears the over-capacity prompt, none rings on, every outcome exported`,
    async () => {
      expect(await waitQuiet(stack), 'the worker is idle with its warm pool').toBe(true);
      const cap = stack.config.admission.concurrency.maxCalls;
      const r = await runBurst(stack, {
        ...OVER,
        spacing: 'random',
        seed: 40,
        listenSeconds: PROMPT_LISTEN_S,
        ringTimeoutSeconds: RING_BOUND_S,
        firstCaller: SMALL.calls,
        withinMs: 2000,
        drainMs: 15_000,
      });
      console.log(report(`${OVER.calls} in 4 s`, r));
      expect(
        r.calls.filter((c) => !c.answered || c.voiceMs === undefined).map(describeCall),
        `callers not answered within ${RING_BOUND_S} s, or answered into silence`,
      ).toEqual([]);
      const counts = outcomeCounts(r.calls);
      expect(
        Object.keys(counts).filter((o) => o !== 'answered' && o !== 'rejected:over_capacity'),
        `every caller's export says answered or rejected:over_capacity: ${JSON.stringify(counts)}`,
      ).toEqual([]);
      expect(counts.answered ?? 0).toBeLessThanOrEqual(cap);
      expect(counts['rejected:over_capacity'] ?? 0).toBeGreaterThanOrEqual(OVER.calls - cap);
      // A refused caller hears the whole prompt (it names 112) and then the agent hangs up; a
      // greeted one hears the greeting and stays on the line.
      const refused = r.calls.filter((c) => c.outcome === 'rejected:over_capacity');
      expect(
        refused.filter((c) => !c.hungUpByAgent || c.voicedSeconds < 4).map(describeCall),
        'refused callers who did not hear the prompt through to the agent hanging up',
      ).toEqual([]);
      expect(
        r.calls.filter((c) => c.outcome === 'answered' && c.hungUpByAgent).map(describeCall),
      ).toEqual([]);
      // One retry, reported as flaky by scripts/test.sh. The cause is CPU: on two cores 8 calls
      // and the replacement job processes they start load the machine 5-6 times over, and a
      // refused caller's prompt arrives choppy (2.5-4.4 s of its 7 s voiced before priorities).
      // The media relays run at nice -10, calls at -5 and warming job processes at 19 after their
      // module loading; the softphones, which stand for phones elsewhere, at -11 (with them at 0,
      // the calls at -5 starved what they recorded: 2.4-3.8 s in a clean-clone CI run). 4.7-6.1 s
      // then. Forking job processes at 19 gave 3.9-5.8 s over three runs but starved a call
      // waiting for a warm-up.
    },
    { timeout: 180_000, retry: 1 },
  );

  it('logged no caller number while the bursts ran', () => {
    const lines = readdirSync(stack.logDir).flatMap((f) =>
      readFileSync(join(stack.logDir, f), 'utf8').split('\n'),
    );
    const callers = Array.from({ length: SMALL.calls + OVER.calls }, (_, k) => burstNumber(k));
    expect(scanForPhoneNumbers(lines, callers, { allow: [BURST_LINE] })).toEqual([]);
  });
});
