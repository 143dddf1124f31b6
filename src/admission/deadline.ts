import { withTimeout } from '../common/index.js';

/** Redis did not answer within the admission budget. */
export class AdmissionTimeoutError extends Error {
  constructor(budgetMs: number) {
    super(`Redis did not answer within ${budgetMs} ms`);
    this.name = 'AdmissionTimeoutError';
  }
}

/** Settles like `promise`, or rejects with AdmissionTimeoutError once `budgetMs` have passed. */
export function withBudget<T>(promise: Promise<T>, budgetMs: number): Promise<T> {
  return withTimeout(promise, budgetMs, () => new AdmissionTimeoutError(Math.max(budgetMs, 0)));
}

/** A short, number-free description of a Redis error for logs. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
