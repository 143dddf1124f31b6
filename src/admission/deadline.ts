/** Redis did not answer within the admission budget. */
export class AdmissionTimeoutError extends Error {
  constructor(budgetMs: number) {
    super(`Redis did not answer within ${budgetMs} ms`);
    this.name = 'AdmissionTimeoutError';
  }
}

/**
 * Settles like `promise`, or rejects once `budgetMs` have passed. The operation itself is not
 * cancelled (Redis may still run it later), so callers must tolerate a late effect.
 */
export function withTimeout<T>(promise: Promise<T>, budgetMs: number): Promise<T> {
  if (budgetMs <= 0) {
    promise.catch(() => {});
    return Promise.reject(new AdmissionTimeoutError(0));
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AdmissionTimeoutError(budgetMs)), budgetMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** A short, number-free description of a Redis error for logs. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
