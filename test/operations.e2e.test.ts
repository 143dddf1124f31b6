import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { callEventsStream } from '../src/telemetry/call-events.js';
import { callAndRecord } from './support/call-record.js';
import { listen, say, TRUNKS } from './support/calls.js';
import { scanForPhoneNumbers } from './support/leak-scan.js';
import { scrape, total, type Sample } from './support/metrics.js';
import { eraseCaller } from './support/privacy-cli.js';
import { startSippUas } from './support/sipp.js';
import { allLogLines, useStack, type StackHandle } from './support/stack.js';

/**
 * Every call runs in a job process, yet the control plane's /metrics counts it: the job tells the
 * control plane through call events on Redis. Four calls on the shared stack (an FAQ answered, a
 * hand-off, an emergency, a rate-limited caller), then the figures, labels and a leak scan.
 */
describe('operations: call figures from job processes on the control plane', () => {
  let stack: StackHandle;
  let metricsUrl: string;
  beforeAll(async () => {
    stack = await useStack();
    metricsUrl = `${stack.controlPlaneUrl}/metrics`;
  });

  it('counts answered, transferred, emergency and rate-limited calls with their labels, and leaks nothing', async () => {
    // A clean slate for both callers' rate limits, whatever ran before.
    eraseCaller(stack, TRUNKS.callerA.username);
    eraseCaller(stack, TRUNKS.callerB.username);
    const before = (await scrape(metricsUrl)).samples;

    const faq = await callAndRecord(stack, () =>
      say('what are the visiting hours', { as: 'callerB' }),
    );
    const desk = startSippUas(5099);
    const handoff = await callAndRecord(stack, () =>
      say('I want to speak to a person', { as: 'callerB' }),
    ).finally(() => desk.stop());
    const limited = await callAndRecord(stack, () => listen(6, { as: 'callerB' }));
    const emergency = await callAndRecord(stack, () =>
      say('this is an emergency', { as: 'callerA' }),
    );
    expect(
      [faq, handoff, limited, emergency].map((c) => c.transcript.outcome),
      'what the agent recorded',
    ).toEqual(['answered', 'transferred', 'rejected:rate_limited', 'answered']);

    // The ended event of the last call may still be on its way.
    const delta = async (name: string, labels: Record<string, string>) => {
      const now = (await scrape(metricsUrl)).samples;
      return total(now, name, labels) - total(before, name, labels);
    };
    await expect
      .poll(() => delta('switchboard_calls_total', { trunk: 'caller-a' }), { timeout: 10_000 })
      .toBe(1);

    const b = { trunk: 'caller-b' };
    const counted: Array<[string, Record<string, string>, number]> = [
      ['switchboard_calls_started_total', b, 3],
      ['switchboard_calls_total', { ...b, outcome: 'answered', language: 'en' }, 1],
      ['switchboard_calls_total', { ...b, outcome: 'transferred', language: 'en' }, 1],
      ['switchboard_calls_total', { ...b, outcome: 'rejected:rate_limited' }, 1],
      ['switchboard_calls_total', { trunk: 'caller-a', outcome: 'answered', language: 'en' }, 1],
      ['switchboard_admission_decisions_total', { ...b, result: 'allowed' }, 2],
      ['switchboard_admission_decisions_total', { ...b, result: 'rate_limited' }, 1],
      ['switchboard_transfers_total', { ...b, reason: 'handoff', result: 'transferred' }, 1],
      ['switchboard_emergency_detections_total', { trunk: 'caller-a', language: 'en' }, 1],
      ['switchboard_call_answer_seconds_count', b, 2],
      ['switchboard_call_greeting_seconds_count', b, 2],
    ];
    for (const [name, labels, want] of counted) {
      expect(await delta(name, labels), `${name} ${JSON.stringify(labels)}`).toBe(want);
    }
    // The FAQ answer is a reply to a caller turn: its turn gap and stages are measured.
    expect(
      await delta('switchboard_turn_stage_seconds_count', { stage: 'turn_gap' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await delta('switchboard_turn_stage_seconds_count', { stage: 'end_of_turn' }),
    ).toBeGreaterThanOrEqual(1);
    expect(total((await scrape(metricsUrl)).samples, 'switchboard_calls_active')).toBe(0);

    // No number and no word of any transcript in a label, nor in any event on the stream.
    const { text, samples } = await scrape(metricsUrl);
    const events = await streamEvents(stack);
    expect(events.length).toBeGreaterThan(10);
    const spoken = [faq, handoff, limited, emergency].flatMap((c) =>
      c.transcript.turns.map((t) => t.text),
    );
    expect(spoken.length).toBeGreaterThan(4);
    for (const haystack of [labelValues(samples), events.join('\n')]) {
      for (const line of spoken) expect(haystack).not.toContain(line);
    }
    expect(
      scanForPhoneNumbers(
        [...text.split('\n'), ...events],
        [TRUNKS.callerA.username, TRUNKS.callerB.username],
      ),
    ).toEqual([]);
    // Nor anything a caller said in any log of the stack (agents-js logs transcripts as PII keys,
    // which the loggers redact).
    const callerTurns = [faq, handoff, emergency].flatMap((c) =>
      c.transcript.turns.filter((t) => t.role === 'caller').map((t) => t.text),
    );
    expect(callerTurns.length).toBeGreaterThanOrEqual(3);
    const logs = allLogLines(stack).join('\n');
    for (const line of callerTurns) expect(logs).not.toContain(line);
    // Pseudonyms are in the events (the console needs them), never in a label.
    expect(events.join('\n')).toContain(limited.transcript.pseudonym!);
    expect(labelValues(samples)).not.toContain(limited.transcript.pseudonym!);
  });
});

const labelValues = (samples: Sample[]) =>
  samples.flatMap((s) => Object.values(s.labels)).join('\n');

/** Every call event of the run so far, as the job processes wrote them. */
async function streamEvents(stack: StackHandle): Promise<string[]> {
  const redis = new Redis(stack.config.redis.url);
  try {
    const entries = await redis.xrange(callEventsStream(stack.config.deployment), '-', '+');
    return entries.map(([, fields]) => fields.join(' '));
  } finally {
    redis.disconnect();
  }
}
