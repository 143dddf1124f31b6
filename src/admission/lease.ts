import { withBudget } from './deadline.js';
import type { LeaseStore } from './lease-store.js';
import type { RedisOperation } from './admission.js';

/** A concurrency slot held for one call. Heartbeats itself until released. */
export interface Lease {
  readonly callId: string;
  /** True when admission could not reach Redis and let the call in anyway. */
  readonly failedOpen: boolean;
  /** Frees the slot. Idempotent; never rejects (a lease that cannot be released expires by TTL). */
  release(): Promise<void>;
}

export interface LeaseOptions {
  store: LeaseStore;
  callId: string;
  ttlMs: number;
  heartbeatMs: number;
  /** Budget for each heartbeat and for release. */
  timeoutMs: number;
  failedOpen: boolean;
  /** The acquire, if one was sent: release must reach Redis after it, or it could undo nothing. */
  acquiring?: Promise<unknown>;
  onFailure(operation: RedisOperation, err: unknown): void;
  /** The lease had lapsed (lost heartbeats, or admitted while Redis was away) and was put back. */
  onReinstated(): void;
}

export function startLease(opts: LeaseOptions): Lease {
  const { store, callId, ttlMs, timeoutMs } = opts;
  // Every Redis operation of this lease chains on the previous one, so a heartbeat can never land
  // after the release and resurrect the lease.
  let last: Promise<unknown> = (opts.acquiring ?? Promise.resolve()).catch(() => {});
  let heartbeatPending = false;
  let released: Promise<void> | undefined;

  const heartbeat = (): void => {
    if (released || heartbeatPending) return;
    heartbeatPending = true;
    const op = last.then(() => store.extend({ callId, ttlMs }));
    // While Redis is away the operation may stay queued in the client: send no second one.
    last = op.then(
      () => (heartbeatPending = false),
      () => (heartbeatPending = false),
    );
    withBudget(op, timeoutMs).then(
      (wasLive) => {
        if (!wasLive && !released) opts.onReinstated();
      },
      (err: unknown) => opts.onFailure('heartbeat', err),
    );
  };

  const timer = setInterval(heartbeat, opts.heartbeatMs);
  // A lease must not keep a process alive on its own; the call session does that.
  timer.unref();

  return {
    callId,
    failedOpen: opts.failedOpen,
    release() {
      if (released) return released;
      clearInterval(timer);
      const op = last.then(() => store.release(callId));
      last = op.catch(() => {});
      released = withBudget(op, timeoutMs).then(
        () => undefined,
        (err: unknown) => opts.onFailure('release', err),
      );
      return released;
    },
  };
}
