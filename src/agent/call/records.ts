import { Redis } from 'ioredis';
import type { SwitchboardConfig } from '../../config/index.js';
import { createTranscriptStore, type TranscriptStore } from '../../privacy/index.js';
import type { ProcessData } from '../call-flow.js';
import type { JoinedCall } from './join.js';

/** No Redis command may hold up a call longer than this; admission has its own, shorter budget. */
const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** Held writes are retried this often while Redis is away. */
const RETRY_MS = 500;
/**
 * How long the end of a call waits for Redis to take its outcome (and writes held before it).
 * Teardown waits for it, and the room is deleted after it (call-flow.ts): while the caller is still
 * on the line (the agent hangs up), the wait is silence they hear, so it stays short. Once the
 * caller is gone, only the job process waits; agents-js gives an ending entrypoint 15 s
 * (ENTRYPOINT_SHUTDOWN_TIMEOUT, not configurable) before it moves on, so 10 s leaves the other
 * teardown steps their time. An outcome that misses the bound is logged, not stored.
 */
const OUTCOME_BUDGET_MS = { callerOnLine: 5_000, callerGone: 10_000 } as const;
/** Turns held while Redis is away, at most; past it new turns are dropped (and counted). */
const MAX_HELD_WRITES = 200;

/**
 * The call's own Redis connection, closed at teardown so an idle job process can exit.
 * Commands sent before the first connection wait for it (it opens while the agent joins the room),
 * bounded by the command timeout. Once connected, a command sent while Redis is away fails at once
 * instead of queueing, and one in flight when the connection drops is not re-sent: nothing waits
 * on a dead Redis, and nothing runs late behind a decision that has already been taken.
 */
export function openCallRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
    autoResendUnfulfilledCommands: false,
    // Back within a second of Redis answering again (ioredis's default backs off to 2 s).
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  redis.on('error', () => undefined);
  redis.once('ready', () => {
    redis.options.enableOfflineQueue = false;
  });
  return redis;
}

type WriteKind = 'start' | 'turn' | 'finish';

interface HeldWrite {
  kind: WriteKind;
  op: (store: TranscriptStore) => Promise<unknown>;
}

/** Redis is away (or too slow) rather than refusing this write: worth holding and retrying. */
function redisAway(redis: Redis, err: unknown): boolean {
  if (redis.status !== 'ready') return true;
  const message = err instanceof Error ? err.message : String(err);
  return /timed out|LOADING|Connection is closed|isn't writeable|MaxRetriesPerRequest/i.test(
    message,
  );
}

/**
 * The call's transcript. Storage never holds up a call: writes go out in order on the call's
 * connection, in the background, and every command has a timeout. While Redis is away, writes are
 * held in order (the call's start first, so a call that began during an outage is still recorded)
 * and sent once it answers again; only the outcome at the end is waited for, within a bound.
 */
export function openCallRecords(
  redis: Redis,
  config: SwitchboardConfig,
  proc: ProcessData,
  call: JoinedCall,
) {
  const { state, logger } = call;
  const transcripts = createTranscriptStore({
    redis,
    config: config.privacy,
    logger: proc.logger,
    pseudonymizer: proc.pseudonymizer,
  });
  const held: HeldWrite[] = [];
  let draining: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let awaySince: number | undefined;
  let dropped = 0;

  const scheduleRetry = () => {
    retry ??= setTimeout(() => {
      retry = undefined;
      void drain();
    }, RETRY_MS);
    // The call session keeps the process alive, not a retry.
    retry.unref();
  };

  /** Sends held writes in order; stops at the first one Redis could not take. */
  const drain = (): Promise<void> =>
    (draining ??= (async () => {
      while (held.length > 0) {
        const next = held[0]!;
        try {
          await next.op(transcripts);
        } catch (err) {
          if (redisAway(redis, err)) {
            if (awaySince === undefined) {
              awaySince = Date.now();
              logger.warn(
                { err: String(err), held: held.length },
                'transcript store unavailable; writes held until redis answers',
              );
            }
            scheduleRetry();
            return;
          }
          // Redis answered and refused this write: retrying would not help.
          logger.warn({ err: String(err), kind: next.kind }, 'transcript write failed');
        }
        held.shift();
        if (awaySince !== undefined) {
          logger.info(
            { awayMs: Date.now() - awaySince, held: held.length, dropped },
            'transcript store reachable again',
          );
          awaySince = undefined;
        }
      }
    })().finally(() => {
      draining = undefined;
    }));

  const enqueue = (kind: WriteKind, op: HeldWrite['op']) => {
    if (kind === 'turn' && held.length >= MAX_HELD_WRITES) {
      dropped += 1;
      return;
    }
    held.push({ kind, op });
    // A retry is already scheduled while Redis is away: writes wait behind the held ones.
    if (awaySince === undefined) void drain();
  };

  /** True once every held write has gone out, false when `budgetMs` passed first. */
  const flushed = async (budgetMs: number): Promise<boolean> => {
    const deadline = Date.now() + budgetMs;
    for (;;) {
      await drain();
      if (held.length === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(RETRY_MS, deadline - Date.now())));
    }
  };

  return {
    write: (op: (store: TranscriptStore) => Promise<unknown>) => enqueue('turn', op),
    start: (pseudonym: string | undefined) => {
      const startedAt = Date.now();
      enqueue('start', (store) =>
        store.startCall({
          callId: state.callId,
          pseudonym,
          trunkId: call.trunkId,
          language: state.language,
          startedAt,
        }),
      );
    },
    /**
     * Writes the outcome and logs the call's end; awaited, so it lands before Redis closes. While
     * Redis is away it is retried within OUTCOME_BUDGET_MS; past that it is lost from the store
     * and logged as such (the `call ended` line still carries it).
     */
    finish: async (pseudonym: string | undefined) => {
      const end = {
        outcome: state.outcome,
        transferTarget: state.transferTarget,
        failure: state.failure,
        endedAt: Date.now(),
      };
      enqueue('finish', (store) => store.finishCall(state.callId, end));
      const gone = state.endReason === 'hangup' || state.endReason === 'transferred';
      try {
        if (!(await flushed(OUTCOME_BUDGET_MS[gone ? 'callerGone' : 'callerOnLine']))) {
          logger.error(
            { outcome: state.outcome, pseudonym, held: held.length, dropped },
            'call outcome not stored: redis unavailable',
          );
        } else if (dropped > 0) {
          logger.warn({ dropped }, 'transcript turns dropped while redis was away');
        }
      } finally {
        clearTimeout(retry);
        held.length = 0;
        logger.info({ outcome: state.outcome, failure: state.failure, pseudonym }, 'call ended');
      }
    },
  };
}
