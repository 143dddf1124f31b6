/**
 * M6 burst (issue 12, target 1): callers arriving together, on the whole stack.
 *
 *   npx tsx bench/burst/run.ts                      # 20 callers in 2 s, then 40 in 4 s
 *   npx tsx bench/burst/run.ts --bursts 20:2 --spacing even --seed 7
 *
 * Starts `switchboard up` with bench/burst/burst.yaml (its own ports: SIP 45060, LiveKit
 * 47880/47881, control plane 48080, Redis 46379; admission cap 20 calls), waits for the worker's
 * warm pool, then runs each burst with a fleet of headless baresip callers (G.722, PCMU and PCMA
 * mixed), each with its own fictional number. A caller listens in silence, hangs up after
 * `--listen` seconds, and gives up (CANCEL) after `--ring-timeout` seconds of ringing. Per caller:
 * INVITE → 200 OK and INVITE → first voiced 20 ms heard (baresip's SIP trace and its recording),
 * and the outcome the export (`switchboard privacy export`) holds. The worker's job processes are
 * sampled from /proc throughout for memory and CPU per call. A handled call is one the export holds
 * a record of (a job process took it); job CPU includes prewarming every process forked during the
 * burst, also those whose caller gave up before it was ready.
 *
 * Targets (SPEC M6, issue 12): a burst within the admission cap is all answered and all greeted
 * within 2 s of the INVITE; a burst over the cap leaves nobody ringing: every caller is greeted or
 * hears the over-capacity prompt, and the export holds `answered` or `rejected:over_capacity` for
 * each. Exits 1 when a target is missed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from '../../test/support/caller-fleet.js';
import {
  describeCall,
  outcomeCounts,
  runBurst,
  waitQuiet,
  type BurstResult,
} from '../../test/support/burst.js';
import { ROOT, startUp, stopStack } from '../../test/support/stack.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: join(ROOT, 'bench', 'burst', 'burst.yaml') },
    bursts: { type: 'string', default: '20:2,40:4' },
    spacing: { type: 'string', default: 'random' },
    seed: { type: 'string', default: '1' },
    listen: { type: 'string', default: '12' },
    'ring-timeout': { type: 'string', default: '20' },
    'within-ms': { type: 'string', default: '2000' },
    detail: { type: 'boolean', default: false },
  },
});
const bursts = values.bursts.split(',').map((b) => {
  const [calls, seconds] = b.split(':').map(Number);
  if (!calls || !seconds) throw new Error(`--bursts: use calls:seconds, e.g. 20:2 (got "${b}")`);
  return { calls, seconds };
});
if (values.spacing !== 'even' && values.spacing !== 'random')
  throw new Error('--spacing: even or random');
const spacing = values.spacing;
const withinMs = Number(values['within-ms']);

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const stat = (xs: number[]) =>
  `${fmt(percentile(xs, 50))} / ${fmt(percentile(xs, 95))} / ${fmt(xs.length ? Math.max(...xs) : NaN)}`;

interface Verdict {
  name: string;
  ok: boolean;
  why: string[];
}

function judge(r: BurstResult, cap: number, label: string): Verdict {
  const n = r.calls.length;
  const why: string[] = [];
  const outcomes = outcomeCounts(r.calls);
  const notAnswered = r.calls.filter((c) => !c.answered).length;
  const silent = r.calls.filter((c) => c.answered && c.voiceMs === undefined).length;
  if (notAnswered > 0) why.push(`${notAnswered} of ${n} never answered`);
  if (silent > 0) why.push(`${silent} answered but heard nothing`);
  if (n <= cap) {
    const late = r.calls.filter((c) => !(c.voiceMs !== undefined && c.voiceMs <= withinMs)).length;
    if (late > 0) why.push(`${late} of ${n} not greeted within ${withinMs} ms of the INVITE`);
    if ((outcomes.answered ?? 0) !== n)
      why.push(`export: ${JSON.stringify(outcomes)}, want ${n} answered`);
  } else {
    const polite = (outcomes.answered ?? 0) + (outcomes['rejected:over_capacity'] ?? 0);
    if (polite !== n)
      why.push(`export: ${JSON.stringify(outcomes)}, want answered or over capacity`);
    if ((outcomes['rejected:over_capacity'] ?? 0) === 0) why.push('nobody was over capacity');
  }
  return { name: label, ok: why.length === 0, why };
}

async function main(): Promise<number> {
  const stack = await startUp(values.config);
  const cap = stack.config.admission.concurrency.maxCalls;
  const results: Array<{ label: string; r: BurstResult; warm: boolean }> = [];
  let firstCaller = 0;
  try {
    for (const { calls, seconds } of bursts) {
      const warm = await waitQuiet(stack);
      const label = `${calls} in ${seconds} s`;
      process.stderr.write(`burst: ${label}${warm ? '' : ' (the pool was not warm in 60 s)'}\n`);
      const r = await runBurst(stack, {
        calls,
        spreadMs: seconds * 1000,
        spacing,
        seed: Number(values.seed),
        listenSeconds: Number(values.listen),
        ringTimeoutSeconds: Number(values['ring-timeout']),
        firstCaller,
        withinMs,
      });
      firstCaller += calls;
      results.push({ label, r, warm });
      if (values.detail) for (const c of r.calls) process.stderr.write(`  ${describeCall(c)}\n`);
    }
  } finally {
    await stopStack(stack);
  }

  console.log(
    `\nM6 burst: cap ${cap} calls (admission), ${stack.config.agent.idleProcesses} idle job processes, ` +
      `${spacing} arrivals (seed ${values.seed}), callers listen ${values.listen} s, give up ringing after ${values['ring-timeout']} s\n`,
  );
  console.log(
    '| burst | INVITE spread ms | answered | greeted ≤ 2 s | over capacity (prompt heard) | never answered | other outcomes | INVITE→200 p50 / p95 / max ms | INVITE→voice p50 / p95 / max ms |',
  );
  console.log('|---|--:|--:|--:|--:|--:|---|--:|--:|');
  for (const { label, r } of results) {
    const outcomes = outcomeCounts(r.calls);
    const greeted = r.calls.filter(
      (c) => c.outcome === 'answered' && c.voiceMs !== undefined && c.voiceMs <= withinMs,
    ).length;
    const prompted = r.calls.filter(
      (c) => c.outcome === 'rejected:over_capacity' && c.voiceMs !== undefined,
    ).length;
    const other = Object.entries(outcomes)
      .filter(([o]) => o !== 'answered' && o !== 'rejected:over_capacity')
      .map(([o, k]) => `${o} ×${k}`)
      .join(', ');
    console.log(
      `| ${label} | ${fmt(r.inviteSpreadMs)} | ${r.summary.answered}/${r.calls.length} | ${greeted} | ` +
        `${outcomes['rejected:over_capacity'] ?? 0} (${prompted}) | ${r.summary.neverAnswered} | ${other || '-'} | ` +
        `${stat(r.calls.flatMap((c) => (c.answerMs === undefined ? [] : [c.answerMs])))} | ` +
        `${stat(r.calls.flatMap((c) => (c.voiceMs === undefined ? [] : [c.voiceMs])))} |`,
    );
  }
  console.log(
    '\n| burst | job processes idle → peak | RSS per job process (idle / peak) MB | PSS per job process at peak MB | job CPU-s, all (per handled call) | worker + shared CPU-s | softphones CPU-s (share of machine) | load average (1/5/15 min) |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|---|');
  for (const { label, r } of results) {
    const c = r.cost;
    const fleet = r.fleetCpuSeconds.softphones + r.fleetCpuSeconds.harness;
    console.log(
      `| ${label} | ${c.idleProcesses} → ${c.peakProcesses} | ${fmt(c.idleRssMb / Math.max(1, c.idleProcesses))} / ` +
        `${fmt(c.peakRssMb / Math.max(1, c.peakProcesses))} | ${fmt(c.peakPssMb / Math.max(1, c.peakProcesses))} | ` +
        `${fmt(c.jobCpuSeconds, 1)} (${fmt(c.jobCpuSeconds / Math.max(1, r.calls.filter((x) => x.outcome !== 'none').length), 2)}) | ` +
        `${fmt(c.workerCpuSeconds, 1)} + ${fmt(c.sharedCpuSeconds, 1)} | ` +
        `${fmt(r.fleetCpuSeconds.softphones, 1)} + harness ${fmt(r.fleetCpuSeconds.harness, 1)} ` +
        `(${fmt((100 * fleet) / Math.max(1e-9, c.machineCpuSeconds))} %) | ${r.loadAverage.split(' ').slice(0, 3).join(' / ')} |`,
    );
  }
  console.log(`\n/proc/loadavg at the end: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);

  const verdicts = results.map(({ label, r }) => judge(r, cap, label));
  let failed = 0;
  for (const { label, r } of results) {
    if (r.drainedAfterMs === undefined)
      console.log(`${label}: the worker still held jobs 30 s after the last caller hung up`);
  }
  for (const v of verdicts) {
    console.log(`${v.ok ? 'MET   ' : 'MISSED'} ${v.name}${v.ok ? '' : `: ${v.why.join('; ')}`}`);
    if (!v.ok) failed++;
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
