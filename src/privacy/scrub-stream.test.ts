import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../admission/pseudonym.js';
import { createScrubbingStream, redactPiiFields } from './scrub-stream.js';

const pseudonymizer = createPseudonymizer({
  keys: [{ id: 'k1', secret: 'test-secret-0123456789abcdef' }],
  region: 'BE',
});
const alice = pseudonymizer.pseudonymize('+32470123456')!;

describe('createScrubbingStream', () => {
  it('scrubs numbers split across chunks, line by line, including a last line without newline', async () => {
    const chunks = [
      '{"msg":"processing invite","fromUser":"+3247',
      '0123456","toIP":"127.0.0.1:5060"}\n{"room":"call_+32470123456_Xy',
      '9"}\nINFO participant sip_0032470123456 left',
    ];
    const out = await text(Readable.from(chunks).pipe(createScrubbingStream(pseudonymizer)));
    expect(out).toBe(
      `{"msg":"processing invite","fromUser":"${alice}","toIP":"127.0.0.1:5060"}\n` +
        `{"room":"call_${alice}_Xy9"}\n` +
        `INFO participant sip_${alice} left`,
    );
  });

  it('passes lines without numbers through unchanged', async () => {
    const lines = '{"time":1722945600123,"pid":4242,"msg":"room closed"}\n';
    expect(await text(Readable.from([lines]).pipe(createScrubbingStream()))).toBe(lines);
  });

  it("redacts agents-js's lk.pii fields (a caller's words at debug level), keeping the rest", async () => {
    const lines =
      '{"level":20,"time":1,"lk.pii.audio_transcript":"my son has a fever","turnDetectionMode":"vad","msg":"running EOU detection"}\n' +
      '{"level":20,"lk.pii.arguments":{"target":"+32470123456"},"lk.pii.transcript":"call me back","msg":"tool"}\n';
    const out = await text(Readable.from([lines]).pipe(createScrubbingStream(pseudonymizer)));
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      {
        level: 20,
        time: 1,
        'lk.pii.audio_transcript': '[redacted]',
        turnDetectionMode: 'vad',
        msg: 'running EOU detection',
      },
      {
        level: 20,
        'lk.pii.arguments': '[redacted]',
        'lk.pii.transcript': '[redacted]',
        msg: 'tool',
      },
    ]);
  });

  it('redacts the string values of lk.pii fields in a line that is not whole JSON', () => {
    expect(
      redactPiiFields('{"msg":"x","lk.pii.user_transcript":"say \\"hi\\" to her","pid":7'),
    ).toBe('{"msg":"x","lk.pii.user_transcript":"[redacted]","pid":7');
  });
});
