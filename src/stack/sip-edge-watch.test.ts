import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { authFailureSource, createFailureCounter, tapLines } from './sip-edge-watch.js';

/** livekit-sip v1.8.0's warn line for a wrong password, as its JSON logger writes it. */
const wrongPassword = JSON.stringify({
  level: 'warn',
  ts: 1767000000.5,
  caller: 'sip/inbound.go:303',
  msg: 'Authentication failed - response mismatch',
  callID: 'SCL_x',
  fromIP: '10.78.1.2',
  fromUser: 'e2e_0123456789abcdef0123456789abcdef',
  method: 'INVITE',
  error: 'response mismatch',
});

describe('failed digest logins in livekit-sip output', () => {
  it('reads the source address of a failed login, never anything else', () => {
    expect(authFailureSource(wrongPassword)).toBe('10.78.1.2');
    const wrongUser = wrongPassword
      .replace('response mismatch', 'username mismatch')
      .replace('10.78.1.2', '2001:db8::9');
    expect(authFailureSource(wrongUser)).toBe('2001:db8::9');
  });

  it('ignores the challenge, successes, other warnings and garbage', () => {
    const line = (msg: string) =>
      wrongPassword.replace('Authentication failed - response mismatch', msg);
    expect(
      authFailureSource(
        line(
          'No Proxy header found. Sending 407 Unauthorized response with Proxy-Authenticate header',
        ),
      ),
    ).toBeUndefined();
    expect(authFailureSource(line('SIP invite authentication successful'))).toBeUndefined();
    expect(authFailureSource(line("Rejecting inbound, doesn't match any Trunks"))).toBeUndefined();
    expect(
      authFailureSource('Authentication failed - response mismatch {not json'),
    ).toBeUndefined();
    expect(authFailureSource(wrongPassword.replace('10.78.1.2', 'not-an-ip'))).toBeUndefined();
  });

  it('counts failures per source in a sliding window and fires once at the limit', () => {
    let now = 0;
    const counter = createFailureCounter({ maxFailures: 3, windowMs: 10_000, now: () => now });
    expect(counter.record('a')).toBeUndefined();
    now = 5000;
    expect(counter.record('a')).toBeUndefined();
    expect(counter.record('b')).toBeUndefined();
    now = 12_000; // the first failure of 'a' left the window
    expect(counter.record('a')).toBeUndefined();
    expect(counter.record('a')).toBe(3);
    expect(counter.record('a')).toBeUndefined(); // forgotten once blocked
    expect(counter.record('b')).toBeUndefined();
  });

  it('taps whole lines across chunks without consuming the stream for others', async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    const piped: string[] = [];
    stream.pipe(new PassThrough()).on('data', (d: Buffer) => piped.push(d.toString()));
    tapLines(stream, (l) => seen.push(l));
    stream.write(wrongPassword.slice(0, 40));
    stream.write(`${wrongPassword.slice(40)}\nsecond`);
    stream.end('\n');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([wrongPassword, 'second']);
    expect(piped.join('')).toBe(`${wrongPassword}\nsecond\n`);
  });
});
