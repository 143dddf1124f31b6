import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Console passwords are stored as `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`: the parameters
 * travel with the hash, so they can be raised later without breaking existing users.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 1: about 32 MiB and 0.1 s per check here, OWASP's scrypt recommendation or above. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const FORMAT =
  /^scrypt\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

/** Why a stored hash is unusable, or undefined when it is fine; the config check shows this. */
export function passwordHashProblem(stored: string): string | undefined {
  const m = FORMAT.exec(stored);
  if (!m) return 'not a scrypt hash ("scrypt$N$r$p$salt$hash")';
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 ** 14 || N > 2 ** 20 || (N & (N - 1)) !== 0)
    return 'N must be a power of two from 16384 to 1048576';
  if (r < 8 || r > 32) return 'r must be between 8 and 32';
  if (p < 1 || p > 16) return 'p must be between 1 and 16';
  if (Buffer.from(m[4]!, 'base64').length < SALT_BYTES) return 'the salt must be at least 16 bytes';
  if (Buffer.from(m[5]!, 'base64').length < KEY_BYTES) return 'the hash must be at least 32 bytes';
  return undefined;
}

function parse(stored: string): ParsedHash | undefined {
  if (passwordHashProblem(stored) !== undefined) return undefined;
  const [, N, r, p, salt, key] = FORMAT.exec(stored)!;
  return {
    N: Number(N),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt!, 'base64'),
    key: Buffer.from(key!, 'base64'),
  };
}

function derive(password: string, salt: Buffer, length: number, params: ScryptParams) {
  // Node's default maxmem (32 MiB) is just below what N=2^15, r=8 needs.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time comparison of the derived key; a malformed hash never verifies. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key);
}
