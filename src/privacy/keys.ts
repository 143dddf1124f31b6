import { findPhoneNumbers } from './phone-numbers.js';

/**
 * The one place that builds transcript keys. A call's keys share the hash tag `{<callId>}` so the
 * scripts that touch them stay in one Redis Cluster slot. Keys hold call ids and pseudonyms only,
 * never a raw number: ids and pseudonyms are checked before they reach a key.
 */
export interface TranscriptKeys {
  /** Hash: pseudonym, trunk, language, start, end, duration, outcome, transfer target. */
  meta(callId: string): string;
  /** List of turns, each a JSON object. */
  turns(callId: string): string;
  /** Sorted set of one caller's call ids, scored by each call's expiry (ms). */
  byCaller(pseudonym: string): string;
  /** Sorted set of every call id, scored by expiry (ms): the operator console's recent calls. */
  recent(): string;
  /** SCAN pattern matching every call's meta key. */
  metaPattern(): string;
}

const PREFIX = /^[A-Za-z0-9_-]{1,32}$/;
/** LiveKit's `SCL_…` ids, UUIDs and similar; no `+`, spaces, braces or long digit runs. */
const CALL_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** `<keyId>_<32 hex>`, as `src/admission/pseudonym.ts` derives them. */
const PSEUDONYM = /^[a-z0-9]{1,16}_[0-9a-f]{32}$/;

export function isPseudonym(value: string): boolean {
  return PSEUDONYM.test(value);
}

const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;

export function assertCallId(callId: string): void {
  // A room name from an `individual` dispatch rule contains the caller's number: refuse anything
  // number-like, so such a name can never become a key.
  const numberLike =
    findPhoneNumbers(callId).length > 0 || /\d{9,}/.test(callId.replace(UUID, '-'));
  if (!CALL_ID.test(callId) || numberLike) {
    throw new Error(
      'transcript call id must be 1 to 128 letters, digits, "_", ".", ":" or "-" without long digit runs; use sip.callID',
    );
  }
}

export function assertPseudonym(pseudonym: string): void {
  if (!isPseudonym(pseudonym)) {
    throw new Error('transcripts are indexed by pseudonym (<keyId>_<32 hex>), never by a number');
  }
}

export function createTranscriptKeys(prefix: string): TranscriptKeys {
  if (!PREFIX.test(prefix)) {
    throw new Error(
      `privacy key prefix must be 1 to 32 letters, digits, "_" or "-", got "${prefix}"`,
    );
  }
  return {
    meta: (callId) => `${prefix}:tr:{${callId}}:meta`,
    turns: (callId) => `${prefix}:tr:{${callId}}:turns`,
    byCaller: (pseudonym) => `${prefix}:tr:caller:{${pseudonym}}`,
    recent: () => `${prefix}:tr:recent`,
    metaPattern: () => `${prefix}:tr:{*}:meta`,
  };
}
