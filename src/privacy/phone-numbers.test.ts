import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../admission/pseudonym.js';
import { findPhoneNumbers, maskPhoneNumbers, scrubPhoneNumbers } from './phone-numbers.js';

const pseudonymizer = createPseudonymizer({
  keys: [{ id: 'k1', secret: 'test-secret-0123456789abcdef' }],
  region: 'BE',
});
const alice = pseudonymizer.pseudonymize('+32470123456')!;

describe('findPhoneNumbers', () => {
  it.each([
    ['+32470123456', '+32470123456'],
    ['0032 470 12 34 56', '0032 470 12 34 56'],
    ['0470/12.34.56', '0470/12.34.56'],
    ['+1 555 0100 123', '+1 555 0100 123'],
    ['0470 12 34 56', '0470 12 34 56'],
    ['02/555.01.23', '02/555.01.23'],
    ['+32 (0)470 12 34 56', '+32 (0)470 12 34 56'],
    ['+32 470123456', '+32 470123456'],
    ['sip:+32470123456@10.0.0.1:5060', '+32470123456'],
    ['{"fromUser":"0032470123456","toUser":"x"}', '0032470123456'],
    ['participant sip_+32470123456 joined', '+32470123456'],
    ['From=%2B32470123456&To=%2B3225550123', '%2B32470123456'],
    ['call +32470123456 12 times', '+32470123456'],
  ])('finds %s', (text, first) => {
    expect(findPhoneNumbers(text)[0]).toBe(first);
  });

  it.each([
    '{"level":30,"time":1722945600123,"pid":123456,"hostname":"host","msg":"call ended"}',
    '2024-08-06T10:20:30.123Z 2024-08-06T10:20:05.047012345+02:00 06/08/2024 10:20:30',
    '"ts":1722945600.0470123',
    'listening on 127.0.0.1:50000, rtp 10000-10199, sip 0.0.0.0:5060',
    '550e8400-e29b-41d4-a716-446655440000 01234567-0123-4567-8901-234567890123',
    'pseudonym k1_0470123456abcdef0123456789abcdef and dev_3a4f0470123456a8b1c2d3e4f5a6b7c8',
    'identity sip_3a4fb9c1d2e3f405, call SCL_4kQ9aZ7x0470123, room RM_0470123456ab',
    '"durationMs":123456,"latency":0.0470123456,"ratio":1.0470123456',
    'elapsed 00:01:23, took 0 12 34 56 ms, tz +0100, pid 4567, ppid 1, "bytes":10485760',
    'livekit-server v1.13.5, livekit-sip v1.8.0',
  ])('does not flag %s', (text) => {
    expect(findPhoneNumbers(text)).toEqual([]);
  });

  it('finds every number in a line', () => {
    expect(findPhoneNumbers('from +32470123456 to 02/555.01.23 via 0032 470 12 34 56')).toEqual([
      '+32470123456',
      '02/555.01.23',
      '0032 470 12 34 56',
    ]);
  });
});

describe('scrubPhoneNumbers', () => {
  it('replaces every form of a number with the same pseudonym', () => {
    for (const form of ['+32470123456', '0032 470 12 34 56', '0470/12.34.56', '%2B32470123456']) {
      expect(scrubPhoneNumbers(`sip:${form}@host`, pseudonymizer)).toBe(`sip:${alice}@host`);
    }
  });

  it('keeps a JSON line valid and everything else untouched', () => {
    const line =
      '{"time":1722945600123,"fromUser":"+32470123456","port":5060,"msg":"processing invite"}';
    const scrubbed = scrubPhoneNumbers(line, pseudonymizer);
    expect(JSON.parse(scrubbed)).toEqual({
      time: 1722945600123,
      fromUser: alice,
      port: 5060,
      msg: 'processing invite',
    });
  });

  it('writes [number] without a pseudonymizer, and leaves text without numbers as it is', () => {
    expect(scrubPhoneNumbers('call me on 0470 12 34 56 or +1 555 0100 123')).toBe(
      'call me on [number] or [number]',
    );
    const plain = 'no numbers at 10:20:30, port 5060';
    expect(scrubPhoneNumbers(plain, pseudonymizer)).toBe(plain);
  });
});

describe('maskPhoneNumbers', () => {
  it('keeps only the last digits', () => {
    expect(maskPhoneNumbers('tel:+3225550123')).toBe('tel:[number …123]');
    expect(findPhoneNumbers(maskPhoneNumbers('sip:0470 12 34 56@pbx'))).toEqual([]);
  });
});
