import { createHmac, timingSafeEqual } from 'node:crypto';

/** Form fields as received: a field sent twice keeps every value. */
export type FormParams = Record<string, string | string[]>;

/**
 * Twilio's documented request signature: the full URL Twilio called, then every POST field
 * sorted by name, each name immediately followed by its value, HMAC-SHA1 with the auth token,
 * base64. Repeated fields follow the official helper (`twilio.getExpectedTwilioSignature`): their
 * distinct values sorted and each appended after the name.
 */
export function computeTwilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * Constant time over the signature bytes. Only the length can short-circuit, and the length of a
 * base64 HMAC-SHA1 (28) is public.
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: FormParams,
  signature: string | undefined,
): boolean {
  if (signature === undefined || signature === '') return false;
  const expected = Buffer.from(computeTwilioSignature(authToken, url, params), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The URL Twilio signed: the configured public base, the route as mounted here and the query as
 * received. The Host header and the scheme of the incoming connection are deliberately ignored.
 */
export function signedUrl(publicUrl: string, routePath: string, requestUrl: string): string {
  const { search } = new URL(requestUrl);
  return `${publicUrl.replace(/\/+$/, '')}${routePath}${search}`;
}
