import twilio from 'twilio';

/** Form fields as received: a field sent twice keeps every value. */
export type FormParams = Record<string, string | string[]>;

/**
 * Twilio's documented request signature (HMAC-SHA1 of the URL and the sorted POST fields, base64),
 * computed by the official helper. Used to sign requests in tests and fixtures.
 */
export function computeTwilioSignature(authToken: string, url: string, params: FormParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/**
 * Checks `X-Twilio-Signature` with the official helper: constant-time comparison, and it accepts
 * the URL with and without its default port (Twilio signs either, depending on the product).
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: FormParams,
  signature: string | undefined,
): boolean {
  if (signature === undefined || signature === '') return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

/**
 * The URL Twilio signed: the configured public base, the route as mounted here and the query as
 * received. The Host header and the scheme of the incoming connection are deliberately ignored.
 */
export function signedUrl(publicUrl: string, routePath: string, requestUrl: string): string {
  const { search } = new URL(requestUrl);
  return `${publicUrl.replace(/\/+$/, '')}${routePath}${search}`;
}
