/**
 * Finds strings that look like phone numbers in free text (log lines, transcripts), so they can be
 * replaced by a pseudonym or flagged by a leak scan. Deliberately a pattern, not a parser: it must
 * catch a number in any common written form, and must not flag the digits logs are full of
 * (timestamps, ports, pids, durations, UUIDs, hex ids).
 */

/** The part of a pseudonymizer scrubbing needs (see `src/admission/pseudonym.ts`). */
export interface NumberPseudonymizer {
  pseudonymize(raw: string | undefined): string | undefined;
}

// `+`, its URL escape `%2B` (Twilio form posts, SIP URIs), international `00`, or a national `0`.
const PREFIX = String.raw`(?:\+|%2[Bb]|00 ?|0)`;
// One run of digits: "+" or "00" and a country code, or a national number with its leading 0.
const COMPACT = String.raw`${PREFIX}\d{7,15}`;
// Digit groups: +32 470 12 34 56, 0470/12.34.56, 02/555.01.23, +32 (0)470 12 34 56, +1 555 0100 123.
// A one-digit area code (Brussels 2, Antwerp 3) makes a group of one: +32 2 555 01 42.
const GROUPED = String.raw`${PREFIX}\d{1,4}(?:[ \u00a0./-]|\s?\(0\)\s?)\d{1,12}(?:[ \u00a0./-]\d{2,8}){0,6}`;
// Not glued to a word or hex id, and not the fraction of a decimal (`1.0470123456`).
const LEFT = String.raw`(?<![0-9A-Za-z])(?<!\d[.,])`;
const RIGHT = String.raw`(?![0-9A-Za-z])(?![.,]\d)`;
const PHONE = new RegExp(`${LEFT}(?:${GROUPED}|${COMPACT})${RIGHT}`, 'g');

// Digit-heavy tokens that are never phone numbers; masked before matching.
const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
const DATE = /(?<!\d)(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:19|20)\d{2}(?!\d)/g;
// Clock times with fractions, e.g. Go's RFC 3339 nano `10:20:05.047012345`.
const TIME = /(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?(?!\d)/g;

interface Span {
  start: number;
  end: number;
  text: string;
}

function mask(text: string): string {
  const hide = (m: string) => 'x'.repeat(m.length);
  return text.replace(UUID, hide).replace(DATE, hide).replace(TIME, hide);
}

/** Digit count rules: international 8..15 digits after the prefix, national 9..12 with the 0. */
function plausible(candidate: string): boolean {
  const withoutTrunkZero = candidate.replace(/\s?\(0\)\s?/, ' ');
  const international = /^(\+|%2[Bb]|00)/.exec(withoutTrunkZero);
  if (international) {
    const digits = withoutTrunkZero.slice(international[0].length).replace(/\D/g, '');
    return /^[1-9]/.test(digits) && digits.length >= 8 && digits.length <= 15;
  }
  const digits = withoutTrunkZero.replace(/\D/g, '');
  return digits.length >= 9 && digits.length <= 12;
}

function spans(text: string): Span[] {
  const masked = mask(text);
  const found: Span[] = [];
  for (const match of masked.matchAll(PHONE)) {
    const start = match.index;
    const end = start + match[0].length;
    if (plausible(match[0])) found.push({ start, end, text: text.slice(start, end) });
  }
  return found;
}

/** Every substring of `text` that looks like a phone number, in order. */
export function findPhoneNumbers(text: string): string[] {
  return spans(text).map((s) => s.text);
}

/**
 * Replaces every phone-number-looking substring with its pseudonym (so a log line stays
 * linkable to the caller without naming them), or with `[number]` when there is no
 * pseudonymizer or the string is not a dialable number.
 */
export function scrubPhoneNumbers(text: string, pseudonymizer?: NumberPseudonymizer): string {
  const found = spans(text);
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const span of found) {
    const raw = span.text.replace(/^%2[Bb]/, '+');
    out += text.slice(at, span.start) + (pseudonymizer?.pseudonymize(raw) ?? '[number]');
    at = span.end;
  }
  return out + text.slice(at);
}

/**
 * Keeps the last digits of each number and hides the rest (`tel:[number …123]`): for values an
 * operator must recognise, such as the helpdesk a call was transferred to.
 */
export function maskPhoneNumbers(text: string, keepDigits = 3): string {
  const found = spans(text);
  let out = '';
  let at = 0;
  for (const span of found) {
    const digits = span.text.replace(/\D/g, '');
    out += `${text.slice(at, span.start)}[number …${digits.slice(-keepDigits)}]`;
    at = span.end;
  }
  return out + text.slice(at);
}
