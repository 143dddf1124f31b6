import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrubPhoneNumbers } from '../../src/privacy/index.js';
import { readWav, type Pcm } from './audio.js';
import { softphonePorts } from './sip-ports.js';

export interface CallOptions {
  username: string;
  /** Digest password; none for a trunk gated by source address (a carrier). */
  password?: string;
  /** Whom to dial, e.g. `sip:anything@127.0.0.1`. */
  target: string;
  /** WAV the caller plays (mono, 16 kHz for G.722, 8 kHz for PCMU). The call ends when it ends. */
  playWav: string;
  /** Offered codecs, in order. G722 for the offline recogniser; PCMU is what carriers send. */
  codecs?: Array<'G722' | 'PCMU' | 'PCMA'>;
  /** Hard stop for baresip, in seconds. */
  maxSeconds?: number;
  /** DTMF digits to send 1.5 s after the call is established. */
  dtmf?: string;
  /**
   * The caller hangs up this long after the call is established (their audio has played), unless
   * a REFER has arrived by then: a caller being handed off holds the line for the transfer instead
   * (the WAV must be long enough to cover that hold). Without it the call ends when the WAV ends.
   */
  hangupAfterMs?: number;
  /** Run inside this network namespace (another host, for the test), listening on `address`. */
  host?: { netns: string; address: string };
  /**
   * The softphone's nice value (raised only where allowed, as root). A burst's softphones stand
   * for phones on other machines: on the test's two cores they must not starve behind the calls
   * they measure, or what they record is the harness's shortage, not the system's audio.
   */
  priority?: number;
  /**
   * SIP over TLS: the softphone presents `certFile` (cert and key, PEM) when the gateway connects
   * back to it (a REFER). baresip 1.0 does not verify the server; tests check it with openssl.
   */
  tls?: { certFile: string };
  /** Offer SRTP only (`RTP/SAVP`, SDES). */
  srtp?: boolean;
  /**
   * Digest user, when it differs from the From user (`username`): many callers with their own
   * numbers authenticating on one trunk.
   */
  authUsername?: string;
  /**
   * The caller gives up (CANCEL, then quits) when the call is not answered this long after the
   * INVITE, so no caller rings forever. Without it only `maxSeconds` bounds the ringing.
   */
  ringTimeoutMs?: number;
  /**
   * Offer exactly `codecs`. Without it a `G722` entry does not parse in baresip 1.0's account
   * line (it wants `G722/16000/1`) and every loaded codec is offered, G.722 first.
   */
  exactCodecs?: boolean;
  /**
   * No audio player: what the caller hears is still recorded (sndfile sits on the decode path).
   * ALSA's `null` device never blocks, so its player thread spins at about half a core per
   * softphone; a fleet of callers on two cores cannot afford that.
   */
  noPlayer?: boolean;
}

export interface CallResult {
  exitCode: number | null;
  established: boolean;
  /** What the caller heard (the decoded incoming audio). */
  heard: Pcm | undefined;
  /** Every SIP message and log line baresip printed, with the ms since start at which it arrived. */
  lines: Array<{ at: number; text: string }>;
  /** ms since start: INVITE sent, 200 OK received, decoded audio started. */
  timing: { invite?: number; answered?: number; rxStarted?: number; ended?: number };
  /** Raw SIP trace, for asserting REFER and headers on the wire. */
  sipTrace: string;
  /** Epoch ms at which baresip was started: `timing` is relative to it. */
  startedAt: number;
  /** The caller hung up because `ringTimeoutMs` passed without an answer. */
  gaveUpRinging: boolean;
}

/**
 * A real softphone call with headless baresip: account with digest credentials, `aufile` plays
 * the caller's WAV, `sndfile` records what the caller hears. The recording stays in a private temp
 * dir that is removed before this returns; only the samples are handed back.
 */
export async function callWithBaresip(opts: CallOptions): Promise<CallResult> {
  // baresip binds UDP and TCP on its SIP port (TLS on the next) and exits before dialling when
  // any is taken; the ports are checked free on every protocol and lie outside the ephemeral range.
  const ports = await softphonePorts();
  try {
    const result = await callOnce(opts, ports.sip, ports.rtpFrom, ports.rtpTo);
    if (result.timing.invite === undefined) {
      // The trace names the account and the dialled number; a bench prints this error.
      throw new Error(
        `baresip exited (${result.exitCode}) before sending its INVITE:\n${scrubPhoneNumbers(result.sipTrace)}`,
      );
    }
    return result;
  } finally {
    ports.release();
  }
}

/** Where each call's SIP trace is kept when SWITCHBOARD_E2E_TRACES names a folder. */
let traced = 0;
function keepTrace(opts: CallOptions, trace: string): void {
  const dir = process.env.SWITCHBOARD_E2E_TRACES;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const name = `${String(++traced).padStart(3, '0')}-${Date.now()}-${opts.username.replace(/\W/g, '')}.txt`;
  writeFileSync(join(dir, name), trace);
}

async function callOnce(
  opts: CallOptions,
  sipPort: number,
  rtpFrom: number,
  rtpTo: number,
): Promise<CallResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-baresip-'));
  const address = opts.host?.address ?? '127.0.0.1';
  const recDir = join(dir, 'rec');
  mkdirSync(recDir);
  const codecs = opts.codecs ?? ['PCMU'];
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen ${address}:${sipPort}`,
      ...(opts.tls ? [`sip_certificate ${opts.tls.certFile}`] : []),
      ...(opts.noPlayer ? [] : ['audio_player alsa,null']),
      `audio_source aufile,${opts.playWav}`,
      ...(opts.noPlayer ? [] : ['audio_alert alsa,null']),
      'audio_level no',
      `rtp_ports ${rtpFrom}-${rtpTo}`,
      'module_path /usr/lib/baresip/modules',
      'module g722.so',
      'module g711.so',
      ...(opts.srtp ? ['module srtp.so'] : []),
      'module aufile.so',
      ...(opts.noPlayer ? [] : ['module alsa.so']),
      'module sndfile.so',
      'module stdio.so',
      'module_app account.so',
      'module_app menu.so',
      `snd_path ${recDir}`,
      '',
    ].join('\n'),
  );
  const codecParam = codecs
    .map((c) => (c === 'G722' && opts.exactCodecs ? 'G722/16000/1' : c))
    .join(',');
  const params = [
    ...(opts.authUsername ? [`auth_user=${opts.authUsername}`] : []),
    ...(opts.password ? [`auth_pass=${opts.password}`] : []),
    'regint=0',
    `audio_codecs=${codecParam}`,
    ...(opts.srtp ? ['mediaenc=srtp-mand'] : []),
  ];
  const transport = opts.tls ? ';transport=tls' : '';
  writeFileSync(
    join(dir, 'accounts'),
    `<sip:${opts.username}@${address}${transport}>;${params.join(';')}\n`,
  );

  const args = [
    '-oL',
    'baresip',
    '-s',
    '-f',
    dir,
    '-e',
    `/dial ${opts.target}`,
    '-t',
    String(opts.maxSeconds ?? 30),
  ];
  const started = Date.now();
  const niced = opts.priority === undefined ? [] : ['nice', '-n', String(opts.priority)];
  const [command, argv] = opts.host
    ? ['ip', ['netns', 'exec', opts.host.netns, ...niced, 'stdbuf', ...args]]
    : niced.length > 0
      ? [niced[0]!, [...niced.slice(1), 'stdbuf', ...args]]
      : ['stdbuf', args];
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  // baresip may already have quit when we type; a closed stdin is not an error here.
  child.stdin.on('error', () => undefined);
  const send = (keys: string) => {
    if (!child.stdin.destroyed && child.exitCode === null) child.stdin.write(keys);
  };
  // A quitting baresip waits for its open transactions (say, an INVITE to a helpdesk that never
  // answers: 32 s); the call is over by then, so it gets 3 s before it is killed. SIGTERM would
  // not do: baresip treats it as `q` and waits the same. What it recorded is on disk already.
  let quitting: NodeJS.Timeout | undefined;
  const quit = () => {
    send('q');
    quitting ??= setTimeout(() => child.kill('SIGKILL'), 3000);
  };
  let established = false;
  let referred = false;
  /** `user@host:port` of the REFER's target, once one arrived. */
  let referTarget: string | undefined;
  let hangup: NodeJS.Timeout | undefined;
  let ringBound: NodeJS.Timeout | undefined;
  let gaveUpRinging = false;
  const lines: CallResult['lines'] = [];
  const timing: CallResult['timing'] = {};
  let sipTrace = '';
  let buffered = '';
  const onData = (d: Buffer) => {
    const text = d.toString();
    sipTrace += text;
    buffered += text;
    const parts = buffered.split(/\r?\n|\r/);
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      const at = Date.now() - started;
      lines.push({ at, text: line });
      if (timing.invite === undefined && /^INVITE sip:/.test(line)) {
        timing.invite = at;
        const ringMs = opts.ringTimeoutMs;
        if (ringMs !== undefined) {
          ringBound = setTimeout(() => {
            if (established) return;
            gaveUpRinging = true;
            // `b` cancels the ringing call; the quit after it bounds a gateway that never answers
            // the CANCEL.
            send('b');
            setTimeout(quit, 1000);
          }, ringMs);
        }
      }
      if (timing.answered === undefined && /Call established/.test(line)) timing.answered = at;
      if (timing.rxStarted === undefined && /dumping decode audio/.test(line))
        timing.rxStarted = at;
      // The leg a REFER started, failing (the helpdesk busy), leaves the caller on the first
      // call, as a phone does; any other end means the call is over: quit rather than wait for -t.
      const transferLegEnded = referTarget !== undefined && line.includes(referTarget);
      if (/Call with .* terminated|session closed/.test(line) && !transferLegEnded) {
        timing.ended = at;
        quit();
      }
      if (/^REFER sip:/.test(line)) referred = true;
      referTarget ??= /^Refer-To:\s*<?sips?:([^>;\s]+)/i.exec(line)?.[1];
      if (!established && /Call established/.test(line)) {
        established = true;
        const digits = opts.dtmf;
        if (digits) setTimeout(() => send(digits), 1500);
        if (opts.hangupAfterMs !== undefined) {
          hangup = setTimeout(() => {
            if (!referred) send('b');
          }, opts.hangupAfterMs);
        }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  // baresip's own -t waits for open transactions (an INVITE nobody answers: 32 s); ours does not.
  const hardStop = setTimeout(quit, (opts.maxSeconds ?? 30) * 1000);
  const exitCode: number | null = await new Promise((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  clearTimeout(quitting);
  clearTimeout(hangup);
  clearTimeout(ringBound);
  clearTimeout(hardStop);

  let heard: Pcm | undefined;
  const dec = readdirSync(recDir).find((f) => f.endsWith('-dec.wav'));
  if (dec) heard = readWav(readFileSync(join(recDir, dec)));
  rmSync(dir, { recursive: true, force: true });
  keepTrace(opts, sipTrace);
  return {
    exitCode,
    established: timing.answered !== undefined,
    heard,
    lines,
    timing,
    sipTrace,
    startedAt: started,
    gaveUpRinging,
  };
}

/** What the caller heard from `epochMs` on, as its own recording. */
export function heardSince(result: CallResult, epochMs: number): Pcm {
  const { heard, startedAt, timing } = result;
  const recordingStart = startedAt + (timing.rxStarted ?? 0);
  const skip = Math.max(0, Math.round(((epochMs - recordingStart) * heard!.sampleRate) / 1000));
  return { ...heard!, samples: heard!.samples.subarray(skip) };
}
