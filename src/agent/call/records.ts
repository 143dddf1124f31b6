import { Redis } from 'ioredis';
import type { SwitchboardConfig } from '../../config/index.js';
import { createTranscriptStore, type TranscriptStore } from '../../privacy/index.js';
import type { ProcessData } from '../call-flow.js';
import type { JoinedCall } from './join.js';

/** No Redis command may hold up a call longer than this; admission has its own, shorter budget. */
const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/** The call's own Redis connection, closed at teardown so an idle job process can exit. */
export function openCallRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  redis.on('error', () => undefined);
  return redis;
}

/**
 * The call's transcript. Storage never holds up a call: writes go out in order on the call's
 * connection, every command has a timeout, and a failed write is logged.
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
  const write = (op: (store: TranscriptStore) => Promise<unknown>) => {
    op(transcripts).catch((err: unknown) =>
      logger.warn({ err: String(err) }, 'transcript store unavailable'),
    );
  };
  return {
    write,
    start: (pseudonym: string | undefined) =>
      write((store) =>
        store.startCall({
          callId: state.callId,
          pseudonym,
          trunkId: call.trunkId,
          language: state.language,
          startedAt: Date.now(),
        }),
      ),
    /** Writes the outcome and logs the call's end; awaited, so it lands before Redis closes. */
    finish: async (pseudonym: string | undefined) => {
      try {
        await transcripts.finishCall(state.callId, {
          outcome: state.outcome,
          transferTarget: state.transferTarget,
          failure: state.failure,
          endedAt: Date.now(),
        });
      } finally {
        logger.info({ outcome: state.outcome, failure: state.failure, pseudonym }, 'call ended');
      }
    },
  };
}
