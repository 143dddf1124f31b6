import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VoicemailMessage } from './types.js';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export const SIGNATURE_HEADER = 'Switchboard-Signature';
export const MESSAGE_ID_HEADER = 'Switchboard-Message-Id';
/** How far a signature's timestamp may be from the receiver's clock, by default. */
export const DEFAULT_TOLERANCE_S = 300;

/** The webhook's body: the message as the console sees it, never a phone number. */
export interface WebhookEvent {
  type: 'message.created';
  message: VoicemailMessage;
}

export function webhookBody(message: VoicemailMessage): string {
  const event: WebhookEvent = { type: 'message.created', message };
  return JSON.stringify(event);
}

const hmac = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The `Switchboard-Signature` header value for a body sent at `nowS` (unix seconds). */
export function signWebhook(secret: string, body: string, nowS: number): string {
  const t = Math.floor(nowS);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/** What a receiver remembers of signatures it accepted: a `Set<string>`, or one backed by Redis. */
export interface SeenSignatures {
  has(signature: string): boolean;
  add(signature: string): unknown;
}

export interface VerifyWebhookOptions {
  secret: string;
  /** The `Switchboard-Signature` header as received. */
  header: string | null | undefined;
  /** The raw body, exactly as received (not re-serialised JSON). */
  body: string;
  /** The receiver's clock, unix seconds. */
  nowS: number;
  toleranceS?: number;
  /**
   * Signatures already accepted: a replayed request is refused. Entries older than the tolerance
   * may be dropped, since their timestamp is refused anyway.
   */
  seen: SeenSignatures;
}

export type WebhookVerdict =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed' | 'signature' | 'stale' | 'replay' };

/**
 * Checks a webhook request: the HMAC in constant time, the timestamp within the tolerance, and
 * that the signature was not accepted before. Only a valid, fresh request is added to `seen`.
 */
export function verifyWebhook(opts: VerifyWebhookOptions): WebhookVerdict {
  const parts = (opts.header ?? '').split(',').map((p) => p.trim());
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  const candidates = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  if (t === undefined || !/^\d{1,12}$/.test(t) || candidates.length === 0) {
    return { ok: false, reason: 'malformed' };
  }
  const timestamp = Number(t);
  const expected = Buffer.from(hmac(opts.secret, timestamp, opts.body), 'hex');
  // Every candidate is compared, so the time taken does not tell which one matched.
  let match: string | undefined;
  for (const candidate of candidates) {
    if (!/^[0-9a-f]{64}$/.test(candidate)) continue;
    if (timingSafeEqual(Buffer.from(candidate, 'hex'), expected)) match = candidate;
  }
  if (match === undefined) return { ok: false, reason: 'signature' };
  if (Math.abs(opts.nowS - timestamp) > (opts.toleranceS ?? DEFAULT_TOLERANCE_S)) {
    return { ok: false, reason: 'stale' };
  }
  if (opts.seen.has(match)) return { ok: false, reason: 'replay' };
  opts.seen.add(match);
  return { ok: true, timestamp };
}
