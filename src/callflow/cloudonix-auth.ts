import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Cloudonix does not sign webhooks, so it sends a shared secret: `Authorization: Bearer <secret>`
 * or basic auth with the secret as the password (any user name). Both sides are hashed first so
 * the comparison is constant time whatever the lengths.
 */
export function cloudonixAuthorized(header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const match = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  const [, scheme, credentials] = match as unknown as [string, string, string];
  let presented: string;
  if (scheme.toLowerCase() === 'bearer') {
    presented = credentials;
  } else {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    presented = decoded.slice(colon + 1);
  }
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(secret));
}
