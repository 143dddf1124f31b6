import { spawn } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { join } from 'node:path';
import { VOICED_RMS, windowRms, type Pcm } from './audio.js';
import { softphonePorts } from './sip-ports.js';

const SCENARIOS = {
  answer: join(import.meta.dirname, '..', 'sipp', 'callback-uas.xml'),
  busy: join(import.meta.dirname, '..', 'sipp', 'callback-busy-uas.xml'),
};

export interface CalleeOptions {
  /** SIP port on 127.0.0.1 (UDP); default a free one. A config's trunk address needs a fixed one. */
  sipPort?: number;
  /** `answer` (default): 180, then 200 with PCMU/PCMA; `busy`: 486 Busy Here. */
  mode?: 'answer' | 'busy';
  /** How long the phone rings before it answers; default 1000 ms. */
  ringMs?: number;
  /** What the callee says once the media flows (8 kHz mono), e.g. a short "Hallo?". */
  say?: Pcm;
  /** Wait this long after the first RTP packet before saying it; default 300 ms. */
  sayAfterMs?: number;
  /** sipp gives up (exit code non-zero) after this long; default 90 s. */
  timeoutSeconds?: number;
}

export interface CalleeHeard {
  /** RTP packets received with PCMU or PCMA. */
  packets: number;
  /** Payload types seen (0 PCMU, 8 PCMA, 101 telephone-event, …). */
  payloadTypes: number[];
  /** Seconds of 20 ms windows above VOICED_RMS in what arrived. */
  voicedSeconds: number;
  /** Milliseconds from the first packet to the first voiced window; undefined when none. */
  firstVoicedMs?: number;
  /** Everything received, decoded to 16-bit PCM at 8 kHz, in arrival order. */
  pcm: Pcm;
}

export interface Callee {
  /** The outbound trunk address that reaches this phone: `127.0.0.1:<sip port>` (UDP). */
  address: string;
  /** The UDP port on 127.0.0.1 the answer's SDP points the media at. */
  rtpPort: number;
  /** sipp's exit code: 0 once it answered one call and received its BYE (or sent 486). */
  done: Promise<number | null>;
  heard(): CalleeHeard;
  stop(): Promise<void>;
}

/**
 * The caller's phone for a callback test: sipp answers on 127.0.0.1 (`test/sipp/callback-uas.xml`)
 * with an SDP that points the media at a Node UDP socket. The socket decodes the G.711 it
 * receives, and sends RTP back to where the packets come from (symmetric RTP): silence, with
 * `say` spoken once, so livekit-sip sees a live media stream and the agent hears a person.
 */
export async function startCallee(opts: CalleeOptions = {}): Promise<Callee> {
  const ports = await softphonePorts();
  const rtp = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    rtp.once('error', reject);
    rtp.bind(ports.rtpFrom, '127.0.0.1', () => resolve());
  });

  const chunks: Int16Array[] = [];
  const payloadTypes = new Set<number>();
  let packets = 0;
  let remote: RemoteInfo | undefined;
  let sender: NodeJS.Timeout | undefined;
  let outPt = 0;

  rtp.on('message', (msg, rinfo) => {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const pt = msg[1]! & 0x7f;
    payloadTypes.add(pt);
    if (pt !== 0 && pt !== 8) return;
    const headerLength = 12 + 4 * (msg[0]! & 0x0f) + extensionLength(msg);
    const payload = msg.subarray(headerLength);
    const decode = pt === 0 ? ulawToLinear : alawToLinear;
    chunks.push(Int16Array.from(payload, decode));
    packets += 1;
    if (!remote) {
      remote = rinfo;
      outPt = pt;
      sender = startSending(rtp, rinfo, () => outPt, opts.say, opts.sayAfterMs ?? 300);
    }
  });

  const mode = opts.mode ?? 'answer';
  const sipPort = opts.sipPort ?? ports.sip;
  const child = spawn(
    'sipp',
    [
      '-sf',
      SCENARIOS[mode],
      '-i',
      '127.0.0.1',
      '-p',
      String(sipPort),
      // sipp's own RTP echo socket: away from ours, inside the range reserved for this phone.
      '-mp',
      String(ports.rtpFrom + 2),
      '-key',
      'rtp_ip',
      '127.0.0.1',
      '-key',
      'rtp_port',
      String(ports.rtpFrom),
      '-d',
      String(opts.ringMs ?? 1000),
      '-m',
      '1',
      '-timeout',
      `${opts.timeoutSeconds ?? 90}s`,
      '-timeout_error',
      '-nostdin',
    ],
    { stdio: 'ignore' },
  );
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    address: `127.0.0.1:${sipPort}`,
    rtpPort: ports.rtpFrom,
    done,
    heard() {
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const samples = new Int16Array(total);
      let at = 0;
      for (const c of chunks) {
        samples.set(c, at);
        at += c.length;
      }
      const pcm = { sampleRate: 8000, samples };
      const rms = windowRms(pcm);
      const first = rms.findIndex((r) => r > VOICED_RMS);
      return {
        packets,
        payloadTypes: [...payloadTypes].sort((a, b) => a - b),
        voicedSeconds: rms.filter((r) => r > VOICED_RMS).length * 0.02,
        ...(first >= 0 ? { firstVoicedMs: first * 20 } : {}),
        pcm,
      };
    },
    async stop() {
      if (sender) clearInterval(sender);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await done;
      }
      await new Promise<void>((resolve) => rtp.close(() => resolve()));
      ports.release();
    },
  };
}

/** Bytes of the RTP header extension, when the X bit is set. */
function extensionLength(msg: Buffer): number {
  if (!(msg[0]! & 0x10)) return 0;
  const at = 12 + 4 * (msg[0]! & 0x0f);
  return msg.length >= at + 4 ? 4 + 4 * msg.readUInt16BE(at + 2) : 0;
}

/** 20 ms G.711 frames every 20 ms to `to`: silence, with `say` once after `afterMs`. */
function startSending(
  socket: ReturnType<typeof createSocket>,
  to: RemoteInfo,
  payloadType: () => number,
  say: Pcm | undefined,
  afterMs: number,
): NodeJS.Timeout {
  const ssrc = (Math.random() * 0xffffffff) >>> 0;
  let seq = (Math.random() * 0xffff) >>> 0;
  let ts = (Math.random() * 0xffffffff) >>> 0;
  const started = Date.now();
  let spoken = 0;
  return setInterval(() => {
    const pt = payloadType();
    const frame = new Int16Array(160);
    if (say && Date.now() - started >= afterMs && spoken < say.samples.length) {
      frame.set(say.samples.subarray(spoken, spoken + 160));
      spoken += 160;
    }
    const encode = pt === 0 ? linearToUlaw : linearToAlaw;
    const packet = Buffer.alloc(12 + 160);
    packet[0] = 0x80;
    packet[1] = pt;
    packet.writeUInt16BE(seq, 2);
    packet.writeUInt32BE(ts, 4);
    packet.writeUInt32BE(ssrc, 8);
    for (let i = 0; i < 160; i++) packet[12 + i] = encode(frame[i]!);
    seq = (seq + 1) & 0xffff;
    ts = (ts + 160) >>> 0;
    socket.send(packet, to.port, to.address);
  }, 20);
}

/** ITU-T G.711 μ-law byte to 16-bit linear. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** ITU-T G.711 A-law byte to 16-bit linear. */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude =
    exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

/** 16-bit linear to μ-law. */
export function linearToUlaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), 32_635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}

/** 16-bit linear to A-law. */
export function linearToAlaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32_767);
  let byte: number;
  if (magnitude < 256) byte = magnitude >> 4;
  else {
    let exponent = 1;
    while (magnitude >> (exponent + 8) > 0 && exponent < 7) exponent++;
    byte = (exponent << 4) | ((magnitude >> (exponent + 3)) & 0x0f);
  }
  return (sign | byte) ^ 0x55;
}
