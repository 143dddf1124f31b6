import { Transform } from 'node:stream';
import { scrubPhoneNumbers, type NumberPseudonymizer } from './phone-numbers.js';

/** A line longer than this is scrubbed and passed on in pieces rather than held in memory. */
const MAX_PENDING = 64 * 1024;

/**
 * Scrubs phone numbers from a child process's output line by line, for processes whose own
 * logging cannot be told to leave the caller's number out (livekit-sip logs `fromUser`,
 * livekit-server the room name and participant identity, agents-js `lk.pii.*` fields):
 * `child.stdout.pipe(createScrubbingStream(pseudonymizer)).pipe(logFile)`.
 */
export function createScrubbingStream(pseudonymizer?: NumberPseudonymizer): Transform {
  let pending = '';
  return new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const end = pending.lastIndexOf('\n');
      let ready = '';
      if (end >= 0) {
        ready = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
      }
      if (pending.length > MAX_PENDING) {
        ready += pending;
        pending = '';
      }
      done(null, ready === '' ? undefined : scrub(ready, pseudonymizer));
    },
    flush(done) {
      done(null, pending === '' ? undefined : scrub(pending, pseudonymizer));
    },
  });
}

function scrub(text: string, pseudonymizer: NumberPseudonymizer | undefined): string {
  return scrubPhoneNumbers(redactPiiFields(text), pseudonymizer);
}

/**
 * agents-js marks what a caller said or is (transcripts, participant identities, tool arguments)
 * with `lk.pii.*` fields, at debug level: their values leave as `[redacted]`, so a debug log holds
 * no caller's words either. A JSON line keeps its other fields; a line that is not JSON (a piece
 * of an overlong one) loses the fields' string values.
 */
export function redactPiiFields(text: string): string {
  if (!text.includes(PII_FIELD)) return text;
  return text
    .split('\n')
    .map((line) => (line.includes(PII_FIELD) ? redactLine(line) : line))
    .join('\n');
}

const PII_FIELD = '"lk.pii.';
const REDACTED = '[redacted]';

function redactLine(line: string): string {
  try {
    const record: unknown = JSON.parse(line);
    if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
      const fields = record as Record<string, unknown>;
      for (const key of Object.keys(fields)) if (key.startsWith('lk.pii.')) fields[key] = REDACTED;
      return JSON.stringify(fields);
    }
  } catch {
    // Not a whole JSON line.
  }
  return line.replace(/("lk\.pii\.[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/g, `$1"${REDACTED}"`);
}
