import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callWithBaresip, type CallResult } from './baresip.js';
import { readWav, silenceWav, speechWav } from './audio.js';

/** The WAV with `seconds` of silence appended, in place of the original. */
function padWav(path: string, seconds: number): string {
  const padded = path.replace(/\.wav$/, '.hold.wav');
  execFileSync('sox', [path, padded, 'pad', '0', String(seconds)]);
  rmSync(path);
  return padded;
}

export const TRUNKS = {
  dev: { username: 'softphone', password: 'switchboard-dev', dial: 'sip:anything@127.0.0.1' },
  callerA: {
    username: '+3225550142',
    password: 'e2e-caller-a-password',
    dial: 'sip:+3225550101@127.0.0.1',
  },
  callerB: {
    username: '+3225550143',
    password: 'e2e-caller-b-password',
    dial: 'sip:+3225550102@127.0.0.1',
  },
  callerC: {
    username: '+3225550144',
    password: 'e2e-caller-c-password',
    dial: 'sip:+3225550103@127.0.0.1',
  },
} as const;

/** Where the caller's input WAVs (test fixtures, not recordings) are made. */
export const WAV_DIR = mkdtempSync(join(tmpdir(), 'sb-e2e-wav-'));
const dir = WAV_DIR;
let n = 0;

/**
 * How long a caller who may be handed off holds the line for the transfer: they hang up when
 * their audio is over unless a REFER has come by then (a loaded machine may take longer to send
 * it; a caller who asked for a person waits rather than hanging up on the agent).
 */
const TRANSFER_HOLD_SECONDS = 20;

/** Length of a mono 16-bit WAV in ms, from its header. */
function wavMs(path: string): number {
  const { sampleRate, samples } = readWav(readFileSync(path));
  return (samples.length / sampleRate) * 1000;
}

/** A caller who says `text` (espeak-ng, 16 kHz for G.722: the offline recogniser needs wideband) after the greeting. */
export function say(
  text: string | string[],
  opts: {
    as?: keyof typeof TRUNKS;
    voice?: string;
    waitSeconds?: number;
    /** When the caller starts speaking, in seconds after the answer (default 5: after the greeting). */
    leadSeconds?: number;
    /** Silence after each utterance but the last (default 7: the agent's answer). */
    gapSeconds?: number;
  } = {},
): Promise<CallResult> {
  const spoken = speechWav(join(dir, `say-${n++}.wav`), text, {
    voice: opts.voice,
    padSeconds: opts.leadSeconds ?? 5,
    tailSeconds: opts.waitSeconds ?? 9,
    gapSeconds: opts.gapSeconds,
  });
  const spokenMs = wavMs(spoken);
  const wav = padWav(spoken, TRANSFER_HOLD_SECONDS);
  const { dial, ...auth } = TRUNKS[opts.as ?? 'dev'];
  return callWithBaresip({
    ...auth,
    target: dial,
    playWav: wav,
    codecs: ['G722'],
    hangupAfterMs: spokenMs,
    maxSeconds: 40 + TRANSFER_HOLD_SECONDS,
  });
}

/** A caller who listens in silence for `seconds` (holding on for a transfer if one comes). */
export function listen(
  seconds: number,
  opts: { as?: keyof typeof TRUNKS; dtmf?: string } = {},
): Promise<CallResult> {
  const wav = silenceWav(join(dir, `quiet-${n++}.wav`), seconds + TRANSFER_HOLD_SECONDS, 16000);
  const { dial, ...auth } = TRUNKS[opts.as ?? 'dev'];
  return callWithBaresip({
    ...auth,
    target: dial,
    playWav: wav,
    codecs: ['G722'],
    hangupAfterMs: seconds * 1000,
    maxSeconds: seconds + TRANSFER_HOLD_SECONDS + 20,
    dtmf: opts.dtmf,
  });
}

/** The SIP messages of one method in a baresip trace. */
export function sipMessages(trace: string, method: string): string[] {
  return trace
    .split(/\r?\n(?=(?:[A-Z]+ sip:|SIP\/2\.0 ))/)
    .filter((m) => m.startsWith(`${method} `));
}

export function referTo(trace: string): string[] {
  return sipMessages(trace, 'REFER').map(
    (m) => /^Refer-To:\s*<?([^>\r\n]+)>?/im.exec(m)?.[1] ?? '',
  );
}

/** One SIP message of a baresip trace, sent or received, in trace order. */
export interface SipMessage {
  /** `INVITE sip:…` or `SIP/2.0 407 …`. */
  startLine: string;
  /** Response status, for responses. */
  status?: number;
  cseq: number;
  /** The method CSeq names (`INVITE` for a response to an INVITE). */
  cseqMethod: string;
  text: string;
}

export function sipTranscript(trace: string): SipMessage[] {
  return trace
    .split(/\r?\n(?=(?:[A-Z]+ sip:|SIP\/2\.0 ))/)
    .filter((m) => /^(?:[A-Z]+ sip:|SIP\/2\.0 )/.test(m))
    .map((text) => {
      const startLine = text.split(/\r?\n/, 1)[0]!;
      const cseq = /^CSeq:\s*(\d+)\s+(\w+)/im.exec(text);
      const status = /^SIP\/2\.0 (\d{3})/.exec(startLine)?.[1];
      return {
        startLine,
        status: status === undefined ? undefined : Number(status),
        cseq: Number(cseq?.[1] ?? NaN),
        cseqMethod: cseq?.[2] ?? '',
        text,
      };
    });
}
