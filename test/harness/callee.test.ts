import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import {
  alawToLinear,
  linearToAlaw,
  linearToUlaw,
  startCallee,
  ulawToLinear,
} from '../support/callee.js';

/** A 440 Hz tone at 8 kHz. */
const tone = (seconds: number, amplitude = 8000) =>
  Int16Array.from({ length: seconds * 8000 }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 8000)),
  );

/** sipp's built-in UAC: one INVITE to `address`, the call held for `holdMs`, then BYE. */
function dial(address: string, holdMs: number) {
  const child = spawn(
    'sipp',
    ['-sn', 'uac', address, '-i', '127.0.0.1', '-p', '0', '-m', '1', '-d', String(holdMs)],
    { stdio: 'ignore' },
  );
  child.on('error', () => undefined);
  return new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('G.711 codecs of the callee', () => {
  it('round-trip within the codec step, with the usual silence bytes', () => {
    for (const s of [-30000, -1000, -10, 0, 10, 1000, 30000]) {
      expect(Math.abs(ulawToLinear(linearToUlaw(s)) - s)).toBeLessThanOrEqual(
        Math.max(8, Math.abs(s) / 16),
      );
      expect(Math.abs(alawToLinear(linearToAlaw(s)) - s)).toBeLessThanOrEqual(
        Math.max(16, Math.abs(s) / 8),
      );
    }
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToAlaw(0)).toBe(0xd5);
  });
});

describe('startCallee', () => {
  it('answers an INVITE, hears the voiced RTP sent to it and talks back to its source', async () => {
    const say = { sampleRate: 8000, samples: tone(0.5) };
    const callee = await startCallee({ ringMs: 200, say, sayAfterMs: 0, timeoutSeconds: 20 });
    const far = createSocket('udp4');
    await new Promise<void>((r) => far.bind(0, '127.0.0.1', () => r()));
    const back: Buffer[] = [];
    far.on('message', (m) => back.push(m));
    try {
      const uac = dial(callee.address, 3000);
      // 1 s of tone then 1 s of silence, as μ-law RTP, while sipp holds the call.
      const samples = new Int16Array([...tone(1), ...new Int16Array(8000)]);
      for (let i = 0; i < samples.length / 160; i++) {
        const packet = Buffer.alloc(172);
        packet[0] = 0x80;
        packet[1] = 0;
        packet.writeUInt16BE(i, 2);
        packet.writeUInt32BE(i * 160, 4);
        for (let j = 0; j < 160; j++) packet[12 + j] = linearToUlaw(samples[i * 160 + j]!);
        far.send(packet, callee.rtpPort, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await uac).toBe(0);
      expect(await callee.done).toBe(0);
      const heard = callee.heard();
      expect(heard.packets).toBe(100);
      expect(heard.payloadTypes).toEqual([0]);
      expect(heard.voicedSeconds).toBeGreaterThanOrEqual(0.96);
      expect(heard.voicedSeconds).toBeLessThanOrEqual(1.04);
      expect(heard.firstVoicedMs).toBe(0);
      // It answered our packets with its own: the spoken tone, then silence.
      expect(back.length).toBeGreaterThan(25);
      const spoken = back.flatMap((p) => [...p.subarray(12)].map(ulawToLinear));
      expect(Math.max(...spoken)).toBeGreaterThan(6000);
    } finally {
      far.close();
      await callee.stop();
    }
  });
});
