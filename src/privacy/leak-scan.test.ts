import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAudioFiles, scanForPhoneNumbers } from '../../test/support/leak-scan.js';

// The scanner the end-to-end privacy test runs over every log line and over disk.
describe('scanForPhoneNumbers', () => {
  it('flags each number format, with its line', () => {
    const lines = [
      '{"msg":"processing invite","fromUser":"+32470123456"}',
      'INFO caller 0032 470 12 34 56 rang',
      'callback requested on 0470/12.34.56',
      'us test line +1 555 0100 123',
      '{"msg":"clean line","pid":4242}',
    ];
    expect(scanForPhoneNumbers(lines, [])).toEqual([
      { line: 0, kind: 'phone-like', match: '+32470123456' },
      { line: 1, kind: 'phone-like', match: '0032 470 12 34 56' },
      { line: 2, kind: 'phone-like', match: '0470/12.34.56' },
      { line: 3, kind: 'phone-like', match: '+1 555 0100 123' },
    ]);
  });

  it('does not flag timestamps, ports, UUIDs, hex pseudonyms, durations or pids', () => {
    const lines = [
      '{"level":30,"time":1722945600123,"pid":123456,"hostname":"h","msg":"call ended","durationMs":65000}',
      '2024-08-06T10:20:05.047012345Z INFO livekit sip listening on 127.0.0.1:5060 rtp 10000-10199',
      '{"callId":"SCL_4kQ9aZ7x0470","job":"550e8400-e29b-41d4-a716-446655440000","elapsed":"00:01:23"}',
      '{"pseudonym":"k1_0470123456abcdef0123456789abcdef","identity":"sip_3a4fb9c1d2e3f405"}',
      '{"ttftMs":0.0470123456,"e2eLatency":1.0470123456,"ppid":1,"port":50123}',
    ];
    expect(scanForPhoneNumbers(lines, [])).toEqual([]);
  });

  it('finds a test caller in forms a generic pattern cannot, and allows a listed number', () => {
    const lines = [
      'room call_32470123456_abc created',
      'user 0470-123-456 dialled',
      'transferred to tel:+3225550123',
      'order 4701234567 shipped', // a longer digit run is another number
    ];
    const findings = scanForPhoneNumbers(lines, ['+32 470 12 34 56'], { allow: ['02 555 01 23'] });
    expect(findings).toEqual([
      { line: 0, kind: 'needle', match: '470123456' },
      { line: 1, kind: 'phone-like', match: '0470-123-456' },
      { line: 1, kind: 'needle', match: '470-123-456' },
    ]);
  });
});

describe('findAudioFiles', () => {
  let root: string;
  let outside: string;
  const since = Date.now() - 1000;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leak-scan-'));
    outside = mkdtempSync(join(tmpdir(), 'leak-scan-outside-'));
    const wav = Buffer.concat([
      Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
      Buffer.alloc(64),
    ]);
    mkdirSync(join(root, 'deep', 'er'), { recursive: true });
    mkdirSync(join(root, 'own-temp'));
    writeFileSync(join(root, 'deep', 'er', 'call.dat'), wav); // WAV under another name
    writeFileSync(join(root, 'voice.ogg'), Buffer.concat([Buffer.from('OggS'), Buffer.alloc(64)]));
    writeFileSync(join(root, 'big.pcm'), Buffer.alloc(32 * 1024));
    writeFileSync(join(root, 'small.raw'), Buffer.alloc(100));
    writeFileSync(join(root, 'fake.wav'), 'not audio at all, just text');
    writeFileSync(join(root, 'old.wav'), wav);
    utimesSync(join(root, 'old.wav'), new Date(since - 3_600_000), new Date(since - 3_600_000));
    writeFileSync(join(root, 'own-temp', 'softphone.wav'), wav);
    writeFileSync(join(outside, 'elsewhere.wav'), wav);
    symlinkSync(outside, join(root, 'link'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('finds new audio by magic bytes and raw PCM by size, and skips the rest', () => {
    expect(findAudioFiles([root], since, { exclude: [join(root, 'own-temp')] })).toEqual([
      join(root, 'big.pcm'),
      join(root, 'deep', 'er', 'call.dat'),
      join(root, 'voice.ogg'),
    ]);
  });

  it('finds nothing older than the start, and tolerates missing folders', () => {
    expect(findAudioFiles([root, join(root, 'missing')], Date.now() + 60_000)).toEqual([]);
  });
});
