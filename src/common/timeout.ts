/**
 * Settles like `promise`, or rejects with `timeoutError()` once `ms` have passed (at once when
 * `ms` ≤ 0). The operation itself is not cancelled, so callers must tolerate a late effect; a late
 * rejection is handled here, never left unhandled.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  timeoutError: () => Error,
): Promise<T> {
  if (ms <= 0) {
    promise.catch(() => {});
    return Promise.reject(timeoutError());
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
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
