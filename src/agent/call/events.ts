import type { Redis } from 'ioredis';
import {
  CALL_EVENTS_VERSION,
  callEventsStream,
  type CallEvent,
  type CallEventBody,
} from '../../telemetry/call-events.js';

/**
 * Entries the stream keeps (approximately): hours of calls for a control plane that was away. Its
 * reader only follows the tail, so the cap bounds memory, not what is counted.
 */
export const CALL_EVENTS_MAX_LEN = 20_000;

/** One call's events, sent to the control plane on the call's own Redis connection. */
export interface CallEvents {
  emit(body: CallEventBody): void;
  /** Later events carry the caller's pseudonym (known once admission has run). */
  setPseudonym(pseudonym: string | undefined): void;
  /** Resolves once every event sent so far has been taken or failed. */
  flushed(): Promise<void>;
  /** Events Redis did not take (away, or too slow): counted, never retried or waited for. */
  readonly dropped: number;
}

/**
 * Fire and forget: an event is one XADD on a connection that never queues while Redis is away
 * (records.ts), so emitting costs the call a JSON.stringify and never waits. An event lost in an
 * outage is a gap in the figures, never a delay for the caller.
 */
export function openCallEvents(
  redis: Redis,
  opts: { deployment: string; callId: string; trunkId: string | undefined },
): CallEvents {
  const stream = callEventsStream(opts.deployment);
  let pseudonym: string | undefined;
  let dropped = 0;
  const pending = new Set<Promise<unknown>>();
  return {
    emit(body) {
      const event: CallEvent = {
        ...body,
        v: CALL_EVENTS_VERSION,
        callId: opts.callId,
        ...(pseudonym ? { pseudonym } : {}),
        ...(opts.trunkId ? { trunkId: opts.trunkId } : {}),
        at: Date.now(),
      };
      const sent = redis
        .xadd(stream, 'MAXLEN', '~', CALL_EVENTS_MAX_LEN, '*', 'e', JSON.stringify(event))
        .catch(() => {
          dropped += 1;
        });
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
    },
    setPseudonym(value) {
      pseudonym = value;
    },
    async flushed() {
      await Promise.all(pending);
    },
    get dropped() {
      return dropped;
    },
  };
}
