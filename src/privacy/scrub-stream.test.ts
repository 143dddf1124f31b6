import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../admission/pseudonym.js';
import { createScrubbingStream } from './scrub-stream.js';

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
});
