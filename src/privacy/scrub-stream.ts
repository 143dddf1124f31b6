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
      done(null, ready === '' ? undefined : scrubPhoneNumbers(ready, pseudonymizer));
    },
    flush(done) {
      done(null, pending === '' ? undefined : scrubPhoneNumbers(pending, pseudonymizer));
    },
  });
}
