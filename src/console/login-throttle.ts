/**
 * Failed logins per source address, in memory: after `maxFailures` within the lock window the
 * address waits `lockSeconds` before its next try is even checked. Bounded, so a spray from many
 * addresses cannot grow it without limit.
 */
export interface LoginThrottle {
  /** Milliseconds the address must still wait, 0 when it may try. */
  waitMs(address: string): number;
  recordFailure(address: string): void;
  recordSuccess(address: string): void;
}

const MAX_TRACKED = 10_000;

export function createLoginThrottle(opts: {
  maxFailures: number;
  lockSeconds: number;
  clock: () => number;
}): LoginThrottle {
  const { clock } = opts;
  const lockMs = opts.lockSeconds * 1000;
  const state = new Map<string, { failures: number[]; lockedUntil: number }>();

  return {
    waitMs(address) {
      const entry = state.get(address);
      return entry ? Math.max(0, entry.lockedUntil - clock()) : 0;
    },

    recordFailure(address) {
      const now = clock();
      const entry = state.get(address) ?? { failures: [], lockedUntil: 0 };
      entry.failures = [...entry.failures.filter((t) => t > now - lockMs), now];
      if (entry.failures.length >= opts.maxFailures) {
        entry.lockedUntil = now + lockMs;
        entry.failures = [];
      }
      state.delete(address);
      state.set(address, entry);
      // Maps iterate in insertion order: the first key is the least recently failed.
      if (state.size > MAX_TRACKED) state.delete(state.keys().next().value!);
    },

    recordSuccess(address) {
      state.delete(address);
    },
  };
}
