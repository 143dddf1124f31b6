import type { AdmissionKeys } from './keys.js';
import {
  acquireLeaseArgs,
  extendLeaseArgs,
  parseAcquireReply,
  parseFlagReply,
  releaseLeaseArgs,
  type AcquireResult,
} from './script-args.js';
import { runScript, scripts, type RedisClient } from './scripts.js';

/** The Redis side of concurrency leases: one script per operation, no timers. */
export interface LeaseStore {
  acquire(opts: { callId: string; ttlMs: number; cap: number }): Promise<AcquireResult>;
  /** Heartbeat. Resolves false when the lease had lapsed and was put back. */
  extend(opts: { callId: string; ttlMs: number }): Promise<boolean>;
  /** Resolves false when there was nothing to release. */
  release(callId: string): Promise<boolean>;
  /** Live (unexpired) leases, by the same clock the scripts use. */
  live(): Promise<number>;
}

export function createLeaseStore(deps: {
  redis: RedisClient;
  keys: AdmissionKeys;
  /** Test-only: replaces Redis TIME. */
  clock?: () => number;
}): LeaseStore {
  const { redis, keys, clock } = deps;
  const key = keys.leases();
  return {
    async acquire({ callId, ttlMs, cap }) {
      const call = acquireLeaseArgs({ key, callId, ttlMs, cap, nowMs: clock?.() });
      return parseAcquireReply(await runScript(redis, scripts.acquireLease, call.keys, call.args));
    },
    async extend({ callId, ttlMs }) {
      const call = extendLeaseArgs({ key, callId, ttlMs, nowMs: clock?.() });
      const reply = await runScript(redis, scripts.extendLease, call.keys, call.args);
      return parseFlagReply(reply, 'extendLease');
    },
    async release(callId) {
      const call = releaseLeaseArgs({ key, callId });
      const reply = await runScript(redis, scripts.releaseLease, call.keys, call.args);
      return parseFlagReply(reply, 'releaseLease');
    },
    async live() {
      let now = clock?.();
      if (now === undefined) {
        const [seconds, micros] = await redis.time();
        now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      }
      return redis.zcount(key, `(${now}`, '+inf');
    },
  };
}
