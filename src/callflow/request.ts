import { WebhookError } from './errors.js';
import type { FormParams } from './signature.js';

const FORM = 'application/x-www-form-urlencoded';

export function requirePost(request: Request): void {
  if (request.method !== 'POST') throw new WebhookError(405, 'method_not_allowed', 'use POST');
}

export function requireForm(request: Request): void {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== FORM) {
    throw new WebhookError(415, 'unsupported_media_type', `send ${FORM}`);
  }
}

/**
 * Reads at most maxBytes: a declared Content-Length above it is refused before reading, and a
 * chunked body is cut off as soon as it passes the limit.
 */
export async function readLimitedText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new WebhookError(413, 'too_large', 'request body too large');
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Every field is kept, known or not: Twilio adds fields over time and signs all of them. */
export function parseForm(body: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

/** One value of a field we act on; a field we act on that is sent twice is ambiguous. */
export function field(params: FormParams, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) throw new WebhookError(400, 'bad_request', 'duplicated field');
  return value;
}

/** Method, content type and size, then the parsed form. */
export async function readWebhookForm(request: Request, maxBytes: number): Promise<FormParams> {
  requirePost(request);
  requireForm(request);
  return parseForm(await readLimitedText(request, maxBytes));
}
