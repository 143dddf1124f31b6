import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison; different lengths never match. */
export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Origin check of every POST. A browser sends `Origin`; under our `Referrer-Policy:
 * no-referrer` a same-origin form post carries `Origin: null`, so then the request must also say
 * `Sec-Fetch-Site: same-origin` (Fetch Metadata, which referrer policy does not touch). Anything
 * else (another site, a sandboxed frame, a request without either header) is refused.
 */
export function isSameOriginPost(headers: {
  origin?: string;
  host?: string;
  secFetchSite?: string;
}): boolean {
  const { origin, host, secFetchSite } = headers;
  if (origin !== undefined && origin !== 'null') {
    try {
      return host !== undefined && new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return secFetchSite === 'same-origin';
}

/**
 * The login form's token, before there is a session: a random value in a cookie and its HMAC
 * (under a key that lives only in this process) in the form. A page on another site can neither
 * read the cookie nor compute the HMAC.
 */
export function createLoginTokens(key: Buffer = randomBytes(32)) {
  const sign = (nonce: string) => createHmac('sha256', key).update(nonce).digest('base64url');
  return {
    issue(): { cookie: string; token: string } {
      const cookie = randomBytes(32).toString('base64url');
      return { cookie, token: sign(cookie) };
    },
    valid(cookie: string | undefined, token: string | undefined): boolean {
      return cookie !== undefined && cookie !== '' && tokensMatch(sign(cookie), token);
    },
  };
}
