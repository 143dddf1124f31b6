import { readFileSync } from 'node:fs';
import { pseudonymizerFromConfig } from '../../src/admission/index.js';
import {
  createTranscriptStore,
  exportCaller,
  type CallTranscript,
} from '../../src/privacy/index.js';
import { connectRedisOnce } from '../../src/stack/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import {
  runFleet,
  summarize,
  type BurstSummary,
  type FleetCall,
  type FleetOptions,
} from './caller-fleet.js';
import {
  findAgentWorker,
  machineBusySeconds,
  sampleWorker,
  startSampling,
  type CostSample,
} from './process-cost.js';
import { exportCalls } from './privacy-cli.js';
import { type StackHandle } from './stack.js';

/** The fleet's trunk in test/e2e/burst.e2e.yaml. */
export const BURST_TRUNK = { username: 'burst-fleet', password: 'burst-e2e-fleet-password' };

/** The number the fleet dials (the line). */
export const BURST_LINE = '+3225550100';

/** Caller k's fictional number, +32 2 555 0110 upwards (k < 890). */
export function burstNumber(k: number): string {
  if (k < 0 || k >= 890) throw new Error(`caller ${k}: only 890 fictional numbers (0 to 889)`);
  return `+3225550${110 + k}`;
}

export interface BurstCall extends FleetCall {
  /**
   * The outcome the export holds for this caller's call in this burst (`answered`,
   * `rejected:over_capacity`, `failed:<reason>`); `none` when no record exists, `open` when the
   * record has no outcome yet (the job has not finished).
   */
  outcome: string;
}

export interface BurstCost {
  /** Job processes and their summed RSS when the burst started (the warm pool). */
  idleProcesses: number;
  idleRssMb: number;
  /** Most job processes alive at once during the burst, and their RSS and PSS then. */
  peakProcesses: number;
  peakRssMb: number;
  peakPssMb: number;
  /** Job processes' CPU seconds from the burst's start until its calls were over. */
  jobCpuSeconds: number;
  workerCpuSeconds: number;
  sharedCpuSeconds: number;
  /** Busy CPU seconds of the whole machine (all cores) over the same span. */
  machineCpuSeconds: number;
}

export interface BurstResult {
  calls: BurstCall[];
  summary: BurstSummary;
  inviteSpreadMs: number;
  fleetCpuSeconds: { softphones: number; harness: number };
  cost: BurstCost;
  /** ms after the last caller's end until the worker had no active job (undefined: it never did). */
  drainedAfterMs?: number;
  loadAverage: string;
  wallMs: number;
}

interface WorkerInfo {
  active_jobs: number;
}

async function activeJobs(stack: StackHandle): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${stack.config.agent.healthPort}/worker`);
  return ((await res.json()) as WorkerInfo).active_jobs;
}

/** Polls `probe` every 250 ms until it holds or `ms` pass; returns whether it held. */
async function until(probe: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Waits until the worker holds no call and has its warm pool (`agent.idleProcesses` job processes,
 * done prewarming: under 3 % of a core each over a second; a warm idle one uses about 0.25 % for its
 * pings, 1 % with agents-js's loop monitor on), so a burst starts as it would on a quiet line. Returns false when that
 * did not happen in `ms`.
 */
export async function waitQuiet(stack: StackHandle, ms = 120_000): Promise<boolean> {
  const worker = findAgentWorker(stack.process.pid!);
  const want = stack.config.agent.idleProcesses;
  return until(async () => {
    if ((await activeJobs(stack)) !== 0) return false;
    const before = sampleWorker(worker);
    if (before.jobProcesses < want) return false;
    await new Promise((r) => setTimeout(r, 1_000));
    return sampleWorker(worker).jobCpuSeconds - before.jobCpuSeconds < 0.03 * want;
  }, ms);
}

/**
 * The export `switchboard privacy export --caller <number>` prints, for many callers at once: the
 * same `exportCaller` the CLI runs, in this process on one Redis connection (the CLI starts a
 * Node process per caller, about 1.5 s each here). `cliCheck` is compared against the CLI itself.
 */
async function exportMany(stack: StackHandle, numbers: string[]): Promise<CallTranscript[][]> {
  const { config } = stack;
  const redis = await connectRedisOnce(config.redis.url, 5000);
  try {
    const store = createTranscriptStore({
      redis,
      config: config.privacy,
      logger: createLogger({ level: 'warn', name: 'burst-export' }, process.stderr),
    });
    const pseudonymizer = pseudonymizerFromConfig(config.admission);
    const out: CallTranscript[][] = [];
    for (const number of numbers) {
      out.push((await exportCaller({ number, pseudonymizer, store })).calls);
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

function outcomeOf(c: Pick<CallTranscript, 'outcome' | 'failure'>): string {
  if (c.outcome === null) return 'open';
  return c.outcome === 'failed' ? `failed:${c.failure ?? 'unknown'}` : c.outcome;
}

/**
 * The recorded outcome of each caller's call that started at or after `sinceMs`, from the export;
 * the first caller's export is also taken through the CLI (test/support/privacy-cli.ts) and must
 * agree, so the fast path cannot drift from what a user sees.
 */
export async function exportedOutcomes(
  stack: StackHandle,
  numbers: string[],
  sinceMs: number,
): Promise<string[]> {
  const recent = (calls: Array<Pick<CallTranscript, 'startedAt' | 'outcome' | 'failure'>>) => {
    const mine = calls.filter((c) => Date.parse(c.startedAt) >= sinceMs);
    return mine.length === 0 ? 'none' : mine.map(outcomeOf).join('+');
  };
  const outcomes = (await exportMany(stack, numbers)).map(recent);
  if (numbers.length > 0) {
    const viaCli = recent(exportCalls<CallTranscript>(stack, numbers[0]!));
    if (viaCli !== outcomes[0]) {
      throw new Error(
        `the CLI export says ${viaCli} where the export read here says ${outcomes[0]}`,
      );
    }
  }
  return outcomes;
}

export interface BurstOptions extends Omit<
  FleetOptions,
  'trunk' | 'target' | 'number' | 'calls' | 'spreadMs'
> {
  calls: number;
  spreadMs: number;
  /** First caller's index for `burstNumber`: bursts in one run use distinct callers. */
  firstCaller: number;
  /** "Greeted in time" bound. */
  withinMs: number;
  /** How long to wait after the callers are done for the worker to finish every job. */
  drainMs?: number;
}

/**
 * One burst on a running burst stack: the fleet calls, the worker's job processes are sampled
 * throughout, then (once the worker holds no call, or `drainMs` passed) each caller's outcome is
 * read from the export.
 */
export async function runBurst(stack: StackHandle, opts: BurstOptions): Promise<BurstResult> {
  const worker = findAgentWorker(stack.process.pid!);
  const numbers = Array.from({ length: opts.calls }, (_, i) => burstNumber(opts.firstCaller + i));
  const since = Date.now() - 1000;
  const sampling = startSampling(worker);
  const busyBefore = machineBusySeconds();
  const fleet = await runFleet({
    ...opts,
    trunk: BURST_TRUNK,
    target: `sip:${BURST_LINE}@127.0.0.1:${stack.config.sip.port}`,
    number: (i) => numbers[i]!,
  });
  const callersDone = Date.now();
  const drained = await until(async () => (await activeJobs(stack)) === 0, opts.drainMs ?? 30_000);
  const drainedAfterMs = drained ? Date.now() - callersDone : undefined;
  const samples = sampling.stop();
  const cost = costOf(samples, machineBusySeconds() - busyBefore);
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').trim();
  const outcomes = await exportedOutcomes(stack, numbers, since);
  const calls = fleet.calls.map((c, i) => ({ ...c, outcome: outcomes[i]! }));
  return {
    calls,
    summary: summarize(calls, opts.withinMs),
    inviteSpreadMs: fleet.inviteSpreadMs,
    fleetCpuSeconds: fleet.fleetCpuSeconds,
    cost,
    drainedAfterMs,
    loadAverage,
    wallMs: fleet.wallMs,
  };
}

function costOf(samples: CostSample[], machineCpuSeconds: number): BurstCost {
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const peak = samples.reduce((a, b) => (b.jobRssMb > a.jobRssMb ? b : a), first);
  return {
    idleProcesses: first.jobProcesses,
    idleRssMb: first.jobRssMb,
    peakProcesses: Math.max(...samples.map((s) => s.jobProcesses)),
    peakRssMb: peak.jobRssMb,
    peakPssMb: peak.jobPssMb,
    jobCpuSeconds: last.jobCpuSeconds - first.jobCpuSeconds,
    workerCpuSeconds: last.workerCpuSeconds - first.workerCpuSeconds,
    sharedCpuSeconds: last.sharedCpuSeconds - first.sharedCpuSeconds,
    machineCpuSeconds,
  };
}

/** Counts of each exported outcome, e.g. `{ answered: 20, 'rejected:over_capacity': 20 }`. */
export function outcomeCounts(calls: readonly BurstCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) counts[c.outcome] = (counts[c.outcome] ?? 0) + 1;
  return counts;
}

/** One line per caller, for a failure message or the bench's detail: no number, only the index. */
export function describeCall(c: BurstCall): string {
  const ms = (v: number | undefined) => (v === undefined ? '-' : String(Math.round(v)));
  return [
    `#${String(c.index).padStart(2, '0')}`,
    c.codec.padEnd(4),
    `start +${Math.round(c.offsetMs)}`,
    c.answered ? 'answered' : `not answered (${c.error ?? c.finalStatus ?? 'no final'})`,
    `200 ${ms(c.answerMs)}`,
    `voice ${ms(c.voiceMs)}`,
    `voiced ${c.voicedSeconds.toFixed(1)} s`,
    c.hungUpByAgent ? 'agent hung up' : 'caller hung up',
    c.gaveUpRinging ? 'GAVE UP RINGING' : '',
    `export ${c.outcome}`,
  ]
    .filter(Boolean)
    .join(' | ');
}
