import type { Redis } from 'ioredis';
import { eraseCallerRateLimit, pseudonymizerFromConfig } from '../admission/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import { eraseCaller, type ErasureReceipt, type TranscriptStore } from '../privacy/index.js';

/**
 * The console's GDPR erasure, exactly as `switchboard privacy erase` does it: transcripts under
 * every active pseudonym key, then admission's rate-limit entries. The number only passes through.
 */
export function createCallerEraser(deps: {
  config: SwitchboardConfig;
  redis: Redis;
  store: TranscriptStore;
}): (number: string) => Promise<ErasureReceipt> {
  const pseudonymizer = pseudonymizerFromConfig(deps.config.admission);
  return (number) =>
    eraseCaller({
      number,
      pseudonymizer,
      store: deps.store,
      eraseRateLimit: (pseudonyms) =>
        eraseCallerRateLimit(deps.redis, deps.config.admission, pseudonyms),
    });
}
