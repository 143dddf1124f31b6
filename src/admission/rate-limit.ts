import type { AdmissionKeys } from './keys.js';
import { consumeRateLimitArgs, parseRateLimitReply, type RateLimitResult } from './script-args.js';
import { runScript, scripts, type RedisClient } from './scripts.js';

export interface RateLimiter {
  /** Admits and records `callId` in `bucket` if fewer than `maxCalls` calls fall in the window. */
  consume(opts: {
    bucket: string;
    callId: string;
    maxCalls: number;
    windowMs: number;
  }): Promise<RateLimitResult>;
  /** Takes a recorded call back out (the call was admitted here but refused by capacity). */
  forget(bucket: string, callId: string): Promise<void>;
}

export function createRateLimiter(deps: {
  redis: RedisClient;
  keys: AdmissionKeys;
  /** Test-only: replaces Redis TIME. */
  clock?: () => number;
}): RateLimiter {
  const { redis, keys, clock } = deps;
  return {
    async consume({ bucket, callId, maxCalls, windowMs }) {
      const call = consumeRateLimitArgs({
        key: keys.rateLimit(bucket),
        callId,
        maxCalls,
        windowMs,
        nowMs: clock?.(),
      });
      return parseRateLimitReply(
        await runScript(redis, scripts.consumeRateLimit, call.keys, call.args),
      );
    },
    async forget(bucket, callId) {
      await redis.zrem(keys.rateLimit(bucket), callId);
    },
  };
}
