import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callWithBaresip, type CallResult } from './baresip.js';
import { firstVoicedMs, silenceWav, voicedSeconds } from './audio.js';

export type Codec = 'G722' | 'PCMU' | 'PCMA';

/** Half the callers wideband, the rest split between the two G.711 laws, interleaved. */
export const DEFAULT_CODEC_MIX: readonly Codec[] = ['G722', 'PCMU', 'G722', 'PCMA'];

export interface FleetOptions {
  /** How many callers. */
  calls: number;
  /** Their INVITEs are spread over this many ms from the first. */
  spreadMs: number;
  /** `even`: one every spreadMs/calls; `random`: uniform in [0, spreadMs), seeded. */
  spacing?: 'even' | 'random';
  seed?: number;
  /** Offered codec of caller i is `codecs[i % codecs.length]` (one codec each, so it is the one used). */
  codecs?: readonly Codec[];
  /** Digest user and password of the trunk every caller authenticates on. */
  trunk: { username: string; password: string };
  /** Whom the callers dial, e.g. `sip:+3225550100@127.0.0.1:45060`. */
  target: string;
  /** Caller i's own number (its From user): admission and the export see one caller per number. */
  number: (i: number) => string;
  /** A caller hangs up this long after being answered (it listens in silence until then). */
  listenSeconds: number;
  /** A caller not answered this long after its INVITE gives up (CANCEL): none rings forever. */
  ringTimeoutSeconds: number;
}

export interface FleetCall {
  index: number;
  /** Caller's number: pass it only to the export, never to a log. */
  number: string;
  codec: Codec;
  /** Planned start, ms after the fleet's start. */
  offsetMs: number;
  /** Epoch ms at which the INVITE went out; undefined when baresip never sent one. */
  inviteAt?: number;
  answered: boolean;
  /** INVITE → 200 OK. */
  answerMs?: number;
  /** INVITE → first voiced 20 ms of what the caller heard (greeting or rejection prompt). */
  voiceMs?: number;
  /** Seconds of voiced audio the caller heard. */
  voicedSeconds: number;
  /** Sample rate of what the caller heard: 16000 on G.722, 8000 on G.711 (the codec in use). */
  heardRate?: number;
  /** Final response to the INVITE when it was not answered (487 after the caller's CANCEL). */
  finalStatus?: number;
  /** The caller cancelled because `ringTimeoutSeconds` passed. */
  gaveUpRinging: boolean;
  /** The far end hung up (a BYE reached the caller) before the caller did. */
  hungUpByAgent: boolean;
  /** Set when the softphone itself failed (never sent its INVITE). */
  error?: string;
  /** The SIP trace, for a failure message. */
  sipTrace: string;
}

export interface FleetResult {
  calls: FleetCall[];
  /** First INVITE to last INVITE, ms: the arrival window actually achieved. */
  inviteSpreadMs: number;
  /** CPU seconds the softphones (and this process) used while the fleet ran. */
  fleetCpuSeconds: { softphones: number; harness: number };
  wallMs: number;
}

/** mulberry32: a small seeded generator, so a burst's arrival pattern can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startOffsets(
  calls: number,
  spreadMs: number,
  spacing: 'even' | 'random' = 'even',
  seed = 1,
): number[] {
  if (spacing === 'even') return Array.from({ length: calls }, (_, i) => (i * spreadMs) / calls);
  const next = seeded(seed);
  return Array.from({ length: calls }, () => next() * spreadMs).sort((a, b) => a - b);
}

const CLK_TCK = 100;

/** CPU seconds of this process's waited-for children (baresip once it has exited and been reaped). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, so cutime (16) and cstime (17) sit at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
}

/** Final response status to the INVITE, ignoring the digest challenge (401/407). */
function finalInviteStatus(trace: string): number | undefined {
  const statuses = trace
    .split(/\r?\n(?=SIP\/2\.0 )/)
    .flatMap((m) => {
      const status = /^SIP\/2\.0 (\d{3})/.exec(m)?.[1];
      return status && /^CSeq:\s*\d+\s+INVITE/im.test(m) ? [Number(status)] : [];
    })
    .filter((s) => s >= 300 && s !== 401 && s !== 407);
  return statuses.at(-1);
}

/**
 * baresip traces every message under a `UDP <from> -> <to>` line; a BYE the caller received comes
 * from an address other than the one its INVITE came from.
 */
function byeReceived(trace: string): boolean {
  const caller = /UDP (\S+) -> \S+\r?\nINVITE sip:/.exec(trace)?.[1];
  return [...trace.matchAll(/UDP (\S+) -> \S+\r?\nBYE sip:/g)].some((m) => m[1] !== caller);
}

function toFleetCall(
  base: Pick<FleetCall, 'index' | 'number' | 'codec' | 'offsetMs'>,
  r: CallResult,
): FleetCall {
  const { invite, answered, rxStarted } = r.timing;
  const first = r.heard ? firstVoicedMs(r.heard) : undefined;
  return {
    ...base,
    inviteAt: invite === undefined ? undefined : r.startedAt + invite,
    answered: r.established,
    answerMs: invite !== undefined && answered !== undefined ? answered - invite : undefined,
    voiceMs:
      invite !== undefined && rxStarted !== undefined && first !== undefined
        ? rxStarted + first - invite
        : undefined,
    voicedSeconds: r.heard ? voicedSeconds(r.heard) : 0,
    heardRate: r.heard?.sampleRate,
    finalStatus: r.established ? undefined : finalInviteStatus(r.sipTrace),
    gaveUpRinging: r.gaveUpRinging,
    hungUpByAgent: byeReceived(r.sipTrace),
    sipTrace: r.sipTrace,
  };
}

/**
 * Places `calls` real SIP calls with headless baresip, their INVITEs spread over `spreadMs`, each
 * offering one codec from the mix. A caller listens in silence for `listenSeconds` once answered
 * and gives up after `ringTimeoutSeconds` of ringing; baresip is killed at a hard bound past
 * both. Every caller's outcome is returned, failures included: nothing is dropped.
 */
export async function runFleet(opts: FleetOptions): Promise<FleetResult> {
  const codecs = opts.codecs ?? DEFAULT_CODEC_MIX;
  const offsets = startOffsets(opts.calls, opts.spreadMs, opts.spacing, opts.seed);
  const dir = mkdtempSync(join(tmpdir(), 'sb-fleet-'));
  // What a caller plays: silence, as long as the call may last, at the codec's rate.
  const holdSeconds = opts.ringTimeoutSeconds + opts.listenSeconds + 5;
  const wavs = {
    wide: silenceWav(join(dir, 'quiet-16k.wav'), holdSeconds, 16000),
    narrow: silenceWav(join(dir, 'quiet-8k.wav'), holdSeconds, 8000),
  };
  const cpuBefore = childrenCpuSeconds();
  const harnessBefore = process.cpuUsage();
  const t0 = Date.now();
  try {
    const calls = await Promise.all(
      offsets.map(async (offsetMs, index) => {
        const codec = codecs[index % codecs.length]!;
        const number = opts.number(index);
        const base = { index, number, codec, offsetMs };
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + offsetMs - Date.now())));
        try {
          const result = await callWithBaresip({
            username: number,
            authUsername: opts.trunk.username,
            password: opts.trunk.password,
            target: opts.target,
            playWav: codec === 'G722' ? wavs.wide : wavs.narrow,
            codecs: [codec],
            exactCodecs: true,
            noPlayer: true,
            hangupAfterMs: opts.listenSeconds * 1000,
            // Above the calls (-5) and the media relays (-10): see CallOptions.priority.
            priority: -11,
            ringTimeoutMs: opts.ringTimeoutSeconds * 1000,
            maxSeconds: holdSeconds + 5,
          });
          return toFleetCall(base, result);
        } catch (err) {
          return {
            ...base,
            answered: false,
            voicedSeconds: 0,
            gaveUpRinging: false,
            hungUpByAgent: false,
            error: err instanceof Error ? err.message.split('\n')[0] : String(err),
            sipTrace: err instanceof Error ? err.message : '',
          } satisfies FleetCall;
        }
      }),
    );
    const invites = calls.flatMap((c) => (c.inviteAt === undefined ? [] : [c.inviteAt]));
    const harness = process.cpuUsage(harnessBefore);
    return {
      calls,
      inviteSpreadMs: invites.length > 0 ? Math.max(...invites) - Math.min(...invites) : 0,
      fleetCpuSeconds: {
        softphones: childrenCpuSeconds() - cpuBefore,
        harness: (harness.user + harness.system) / 1e6,
      },
      wallMs: Date.now() - t0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** What one burst came to, per SPEC M6: the counts and p50/p95/max of each time. */
export interface BurstSummary {
  calls: number;
  answered: number;
  /** Answered and heard voice within `withinMs` of the INVITE. */
  voicedWithin: number;
  neverAnswered: number;
  gaveUpRinging: number;
  failedStatuses: Record<string, number>;
  answerMs: { p50: number; p95: number; max: number; n: number };
  voiceMs: { p50: number; p95: number; max: number; n: number };
}

export function summarize(calls: readonly FleetCall[], withinMs: number): BurstSummary {
  const stats = (xs: number[]) => ({
    p50: percentile(xs, 50),
    p95: percentile(xs, 95),
    max: xs.length > 0 ? Math.max(...xs) : NaN,
    n: xs.length,
  });
  const failedStatuses: Record<string, number> = {};
  for (const c of calls.filter((c) => !c.answered)) {
    const key = c.error ? 'softphone error' : String(c.finalStatus ?? 'no final response');
    failedStatuses[key] = (failedStatuses[key] ?? 0) + 1;
  }
  return {
    calls: calls.length,
    answered: calls.filter((c) => c.answered).length,
    voicedWithin: calls.filter(
      (c) => c.answered && c.voiceMs !== undefined && c.voiceMs <= withinMs,
    ).length,
    neverAnswered: calls.filter((c) => !c.answered).length,
    gaveUpRinging: calls.filter((c) => c.gaveUpRinging).length,
    failedStatuses,
    answerMs: stats(calls.flatMap((c) => (c.answerMs === undefined ? [] : [c.answerMs]))),
    voiceMs: stats(calls.flatMap((c) => (c.voiceMs === undefined ? [] : [c.voiceMs]))),
  };
}
