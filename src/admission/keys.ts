/**
 * The one place that builds Redis keys for admission. Every key carries a hash tag (`{…}`) so the
 * keys one script touches always map to one Redis Cluster slot. No key ever holds a raw number:
 * callers appear only as pseudonyms, and withheld callers as their trunk's shared bucket.
 */
export interface AdmissionKeys {
  /** Sliding log of admitted calls for one bucket (see `callerBucket` / `anonymousBucket`). */
  rateLimit(bucket: string): string;
  /** Concurrency leases of the whole deployment, scored by expiry. */
  leases(): string;
  /** SCAN pattern that matches every admission key under this prefix. */
  pattern(): string;
}

export function createAdmissionKeys(prefix: string): AdmissionKeys {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(prefix)) {
    throw new Error(
      `admission key prefix must be 1 to 32 letters, digits, "_" or "-", got "${prefix}"`,
    );
  }
  return {
    rateLimit: (bucket) => `${prefix}:rl:{${bucket}}`,
    leases: () => `${prefix}:lease:{calls}`,
    pattern: () => `${prefix}:*`,
  };
}

/** Bucket of a caller with a number: the pseudonym (`<keyId>_<hex>`, never braces). */
export function callerBucket(pseudonym: string): string {
  return `c:${pseudonym}`;
}

/** Shared bucket of withheld and non-number callers on one trunk. Encoded so braces cannot break the hash tag. */
export function anonymousBucket(trunkId: string | undefined): string {
  return `anon:${encodeURIComponent(trunkId === undefined || trunkId === '' ? 'unknown' : trunkId)}`;
}
