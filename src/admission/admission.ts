import { randomUUID } from 'node:crypto';
import type { Logger } from '../telemetry/index.js';
import type { AdmissionConfig } from './config.js';
import { describeError, withBudget } from './deadline.js';
import { anonymousBucket, callerBucket, createAdmissionKeys } from './keys.js';
import { startLease, type Lease } from './lease.js';
import { createLeaseStore } from './lease-store.js';
import type { Pseudonymizer } from './pseudonym.js';
import { createRateLimiter } from './rate-limit.js';
import type { RedisClient } from './scripts.js';

export interface AdmitRequest {
  /** Stable across INVITE retries (`sip.callID`), so a retry counts once. */
  callId: string;
  /** Raw caller number (`sip.phoneNumber`) or undefined when withheld. Never stored or logged. */
  caller: string | undefined;
  trunkId: string;
}

export type RejectionReason = 'rate_limited' | 'over_capacity';

export type AdmissionDecision =
  | {
      allowed: true;
      /** Undefined for withheld or non-number callers. */
      pseudonym: string | undefined;
      lease: Lease;
      failedOpen: boolean;
    }
  | {
      allowed: false;
      reason: RejectionReason;
      pseudonym: string | undefined;
      /** 0 when unknown. */
      retryAfterMs: number;
      /** Redis was unreachable and failurePolicy is `closed`; reason is then `over_capacity`. */
      failedClosed: boolean;
    };

export interface Admission {
  admit(request: AdmitRequest): Promise<AdmissionDecision>;
}

export type DecisionResult =
  'allowed' | 'rate_limited' | 'over_capacity' | 'failed_open' | 'failed_closed';

export type RedisOperation = 'rate_limit' | 'acquire' | 'heartbeat' | 'release' | 'forget';

/** Where admission reports its figures: the job sends them to the control plane as call events. */
export interface AdmissionTelemetry {
  decision(result: DecisionResult, seconds: number): void;
  redisFailure(operation: RedisOperation): void;
}

export interface AdmissionDeps {
  redis: RedisClient;
  config: AdmissionConfig;
  pseudonymizer: Pseudonymizer;
  logger: Logger;
  telemetry?: AdmissionTelemetry;
  /** Test-only: replaces Redis TIME in every script, to make window and TTL boundaries exact. */
  clock?: () => number;
}

export function createAdmission({
  redis,
  config,
  pseudonymizer,
  logger,
  telemetry,
  clock,
}: AdmissionDeps): Admission {
  const keys = createAdmissionKeys(config.keyPrefix);
  const rateLimiter = createRateLimiter({ redis, keys, clock });
  const leases = createLeaseStore({ redis, keys, clock });
  const windowMs = config.rateLimit.windowSeconds * 1000;
  const ttlMs = config.concurrency.leaseTtlSeconds * 1000;
  const heartbeatMs = config.concurrency.heartbeatSeconds * 1000;
  const budgetMs = config.redisTimeoutMs;

  return {
    async admit(request) {
      const started = performance.now();
      const { caller, trunkId } = request;
      // Without a call id a retry cannot be recognised, but the call must still be decided.
      const callId = request.callId === '' ? `no-call-id-${randomUUID()}` : request.callId;
      if (callId !== request.callId) logger.warn({ trunkId }, 'admission request without call id');
      const remaining = () => budgetMs - (performance.now() - started);
      const pseudonym = pseudonymizer.pseudonymize(caller);
      const bucket = pseudonym === undefined ? anonymousBucket(trunkId) : callerBucket(pseudonym);
      const maxCalls =
        pseudonym === undefined ? config.anonymous.maxCalls : config.rateLimit.maxCalls;
      // Only these fields ever reach a log line: no number, only its pseudonym.
      const fields = { callId, trunkId, pseudonym: pseudonym ?? 'anonymous' };

      const failed = (operation: RedisOperation, err: unknown): void => {
        telemetry?.redisFailure(operation);
        logger.warn({ ...fields, operation, err: describeError(err) }, 'admission redis failure');
      };
      const lease = (failedOpen: boolean, acquiring?: Promise<unknown>): Lease =>
        startLease({
          store: leases,
          callId,
          ttlMs,
          heartbeatMs,
          timeoutMs: budgetMs,
          failedOpen,
          acquiring,
          onFailure: failed,
          onReinstated: () => logger.warn(fields, 'admission lease had lapsed and was put back'),
        });
      const done = <D extends AdmissionDecision>(result: DecisionResult, decision: D): D => {
        telemetry?.decision(result, (performance.now() - started) / 1000);
        if (decision.allowed) logger.debug({ ...fields, result }, 'admission decision');
        else logger.info({ ...fields, result }, 'admission refused call');
        return decision;
      };
      const refuse = (reason: RejectionReason, retryAfterMs: number, failedClosed = false) =>
        done(failedClosed ? 'failed_closed' : reason, {
          allowed: false as const,
          reason,
          pseudonym,
          retryAfterMs,
          failedClosed,
        });
      // A refused call must not stay in the caller's log (only admitted calls count).
      const forget = async () => {
        try {
          await withBudget(rateLimiter.forget(bucket, callId), Math.max(remaining(), 50));
        } catch (err) {
          failed('forget', err);
        }
      };

      let operation: RedisOperation = 'rate_limit';
      let recorded = false;
      let acquiring: Promise<unknown> | undefined;
      try {
        // Rate limit first: a caller over the limit never touches the shared capacity.
        const rate = await withBudget(
          rateLimiter.consume({ bucket, callId, maxCalls, windowMs }),
          remaining(),
        );
        if (!rate.allowed) return refuse('rate_limited', rate.retryAfterMs);
        recorded = rate.added;

        operation = 'acquire';
        const acquire = leases.acquire({ callId, ttlMs, cap: config.concurrency.maxCalls });
        acquiring = acquire;
        const slot = await withBudget(acquire, remaining());
        if (!slot.acquired) {
          if (recorded) await forget();
          return refuse('over_capacity', slot.retryAfterMs);
        }
        return done('allowed', {
          allowed: true as const,
          pseudonym,
          lease: lease(false, acquire),
          failedOpen: false,
        });
      } catch (err) {
        failed(operation, err);
        if (config.failurePolicy === 'closed') {
          if (recorded) void forget();
          return refuse('over_capacity', 0, true);
        }
        // The lease heartbeats anyway: once Redis is back it puts this live call into the count.
        return done('failed_open', {
          allowed: true as const,
          pseudonym,
          lease: lease(true, acquiring),
          failedOpen: true,
        });
      }
    },
  };
}
