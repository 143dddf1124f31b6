/**
 * The job processes' own account of each call, read back from the call-event stream the control
 * plane follows (`src/telemetry/call-events.ts`): per turn, `agent_internal` is the time from the
 * turn's commit to the first reply frame going into the audio source (SPEC M2), measured inside
 * the agent where no codec or network can blur it.
 */
import { Redis } from 'ioredis';
import { callEventsStream, type CallEvent } from '../../src/telemetry/call-events.js';

export async function readCallEvents(
  redisUrl: string,
  deployment: string,
  sinceMs: number,
): Promise<CallEvent[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const entries = await redis.xrange(callEventsStream(deployment), `${sinceMs}-0`, '+');
    const events: CallEvent[] = [];
    for (const [, fields] of entries) {
      const at = fields.indexOf('e');
      if (at < 0 || at + 1 >= fields.length) continue;
      try {
        events.push(JSON.parse(fields[at + 1]!) as CallEvent);
      } catch {
        // Not ours to judge here: the control plane counts malformed events.
      }
    }
    return events;
  } finally {
    redis.disconnect();
  }
}

/** The call whose `started` event falls inside [fromMs, toMs]: sequential calls never overlap. */
export function callIdWithin(
  events: CallEvent[],
  fromMs: number,
  toMs: number,
): string | undefined {
  return events.find((e) => e.type === 'started' && e.at >= fromMs && e.at <= toMs)?.callId;
}

/** The stages of each turn of one call, in ms. */
export function turnStagesMs(events: CallEvent[], callId: string): Array<Record<string, number>> {
  const out: Array<Record<string, number>> = [];
  for (const e of events) {
    if (e.callId !== callId || e.type !== 'turn') continue;
    const stages: Record<string, number> = {};
    for (const [stage, seconds] of Object.entries(e.stages)) {
      if (typeof seconds === 'number') stages[stage] = seconds * 1000;
    }
    out.push(stages);
  }
  return out;
}
