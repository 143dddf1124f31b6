import type { AdmissionConfig } from './config.js';
import { callerBucket, createAdmissionKeys } from './keys.js';
import type { RedisClient } from './scripts.js';

const PSEUDONYM = /^[a-z0-9]{1,16}_[0-9a-f]{32}$/;

/**
 * GDPR erasure: deletes a caller's rate-limit log under each of their pseudonyms (all active keys,
 * see `Pseudonymizer.allPseudonyms`). Resolves the number of call entries deleted.
 */
export async function eraseCallerRateLimit(
  redis: RedisClient,
  config: Pick<AdmissionConfig, 'keyPrefix'>,
  pseudonyms: string[],
): Promise<number> {
  const keys = createAdmissionKeys(config.keyPrefix);
  let erased = 0;
  for (const pseudonym of pseudonyms) {
    // Refuse anything else, so a raw number passed by mistake never reaches Redis.
    if (!PSEUDONYM.test(pseudonym)) throw new Error('eraseCallerRateLimit expects pseudonyms');
    const key = keys.rateLimit(callerBucket(pseudonym));
    const replies = await redis.multi().zcard(key).del(key).exec();
    const [zcardErr, count] = replies?.[0] ?? [new Error('transaction aborted'), 0];
    if (zcardErr) throw zcardErr;
    erased += Number(count);
  }
  return erased;
}
