import type { Redis } from 'ioredis';
import { eraseCallerRateLimit, pseudonymizerFromConfig } from '../admission/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import { eraseCaller, type ErasureReceipt, type TranscriptStore } from '../privacy/index.js';
import type { Logger } from '../telemetry/index.js';
import { createMessageStore, type MessageStore } from '../voicemail/index.js';

/**
 * The console's GDPR erasure, exactly as `switchboard privacy erase` does it: transcripts and
 * voicemail messages (with callback numbers) under every active pseudonym key, then admission's
 * rate-limit entries. The number only passes through.
 */
export function createCallerEraser(deps: {
  config: SwitchboardConfig;
  redis: Redis;
  store: TranscriptStore;
  logger: Logger;
  /** Default: the voicemail store on the same Redis. */
  messages?: MessageStore;
}): (number: string) => Promise<ErasureReceipt> {
  const pseudonymizer = pseudonymizerFromConfig(deps.config.admission);
  const messages =
    deps.messages ??
    createMessageStore({
      redis: deps.redis,
      privacy: deps.config.privacy,
      voicemail: deps.config.voicemail,
      logger: deps.logger,
    });
  return (number) =>
    eraseCaller({
      number,
      pseudonymizer,
      store: deps.store,
      messages,
      eraseRateLimit: (pseudonyms) =>
        eraseCallerRateLimit(deps.redis, deps.config.admission, pseudonyms),
    });
}
