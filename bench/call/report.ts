/** The bench's tables: one per run, then the medians of the runs against the SPEC targets. */
import { percentile } from './onsets.js';
import type { Profile, ProfileName } from './profiles.js';

export interface TurnSample {
  profile: ProfileName;
  startedAt: number;
  endedAt: number;
  /** Caller's speech end → first voiced answer window, on the wire (ms). */
  gap?: number;
  /** INVITE sent → 200 OK received, from baresip's timeline: the gateway answering. */
  inviteToAnswer?: number;
  inviteToGreeting?: number;
  /** The job's `turn` event, in ms: end_of_turn, agent_internal, turn_gap, … */
  stages?: Record<string, number>;
}

export interface RunFigures {
  run: number;
  loadStart: number;
  loadEnd: number;
  /** Echo round trips, one per burst (ms). */
  echo: number[];
  turns: TurnSample[];
  failed: string[];
}

/** p50 and p95 of one figure for one profile in one run. */
interface Quantiles {
  n: number;
  p50: number;
  p95: number;
}

const q = (xs: number[]): Quantiles => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
});
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const pair = (x: Quantiles) => `${ms(x.p50)} / ${ms(x.p95)}`;
const median = (xs: number[]) => percentile(xs.filter(Number.isFinite), 50);

interface ProfileFigures {
  gap: Quantiles;
  own: Quantiles;
  endOfTurn: Quantiles;
  internal: Quantiles;
  /** The job's own turn gap: what it can see of the wire's. */
  jobGap: Quantiles;
  answer: Quantiles;
  greeting: Quantiles;
}

function profileFigures(run: RunFigures, profile: Profile): ProfileFigures {
  const turns = run.turns.filter((t) => t.profile === profile.name);
  const floor = percentile(run.echo, 50);
  const gaps = turns.flatMap((t) => (t.gap === undefined ? [] : [t.gap]));
  const stage = (name: string) => turns.flatMap((t) => t.stages?.[name] ?? []);
  return {
    gap: q(gaps),
    own: q(gaps.map((g) => g - profile.chainMs - floor)),
    endOfTurn: q(stage('end_of_turn')),
    internal: q(stage('agent_internal')),
    jobGap: q(stage('turn_gap')),
    answer: q(turns.flatMap((t) => t.inviteToAnswer ?? [])),
    greeting: q(turns.flatMap((t) => t.inviteToGreeting ?? [])),
  };
}

const HEADER =
  '| run | load avg (1 min) | calls | n | turn gap p50 / p95 | vendor chain | echo RTT p50 / p95 | own = gap − chain − echo p50 / p95 | end of turn (job) p50 / p95 | agent internal (job) p50 / p95 | turn gap (job) p50 / p95 | INVITE→200 OK p50 / p95 | INVITE→greeting p50 / p95 |\n' +
  '|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';

export function printRun(run: RunFigures, profiles: Profile[], build: string): void {
  const load = `${run.loadStart.toFixed(2)} → ${run.loadEnd.toFixed(2)}`;
  console.log(`\nrun ${run.run} (build ${build}), all times ms\n\n${HEADER}`);
  console.log(
    `| ${run.run} | ${load} | echo probe | ${run.echo.length} | | | ${pair(q(run.echo))} | | | | | | |`,
  );
  for (const profile of profiles) {
    const f = profileFigures(run, profile);
    console.log(
      `| ${run.run} | ${load} | ${profile.name} | ${f.gap.n} | ${pair(f.gap)} | ${profile.chainMs} | ${ms(percentile(run.echo, 50))} | ${pair(f.own)} | ${pair(f.endOfTurn)} | ${pair(f.internal)} | ${pair(f.jobGap)} | ${pair(f.answer)} | ${pair(f.greeting)} |`,
    );
  }
  for (const failure of run.failed) console.log(`  failed: ${failure}`);
}

interface Check {
  name: string;
  value: number;
  limit: number;
}

/** Medians over the runs of each run's figure, the targets checked; returns how many missed. */
export function printSummary(runs: RunFigures[], profiles: Profile[]): number {
  const echo50 = median(runs.map((r) => percentile(r.echo, 50)));
  const echo95 = median(runs.map((r) => percentile(r.echo, 95)));
  console.log(`\nmedians of ${runs.length} run(s), ms\n`);
  console.log(
    `M1 echo probe RTT (media floor): p50 ${ms(echo50)}, p95 ${ms(echo95)} (LATENCY.md §3 estimate: 170-230)`,
  );
  const checks: Check[] = [];
  for (const profile of profiles) {
    const per = runs.map((r) => profileFigures(r, profile));
    const m = (pick: (f: ProfileFigures) => number) => median(per.map(pick));
    const gap50 = m((f) => f.gap.p50);
    const gap95 = m((f) => f.gap.p95);
    console.log(
      `${profile.name}: turn gap ${ms(gap50)} / ${ms(gap95)}, own ${ms(m((f) => f.own.p50))} / ${ms(m((f) => f.own.p95))}, ` +
        `end of turn ${ms(m((f) => f.endOfTurn.p50))}, agent internal ${ms(m((f) => f.internal.p50))} / ${ms(m((f) => f.internal.p95))}, ` +
        `INVITE→200 OK ${ms(m((f) => f.answer.p50))} / ${ms(m((f) => f.answer.p95))}, ` +
        `INVITE→greeting ${ms(m((f) => f.greeting.p50))} / ${ms(m((f) => f.greeting.p95))}`,
    );
    if (profile.name === 'zero') {
      checks.push({
        name: 'M2 zero agent internal p95',
        value: m((f) => f.internal.p95),
        limit: 40,
      });
      checks.push({ name: 'M3 zero turn gap p50', value: gap50, limit: 450 });
      checks.push({ name: 'M3 zero turn gap p95', value: gap95, limit: 550 });
    } else {
      checks.push({ name: 'M3 flash turn gap p50', value: gap50, limit: 700 });
      checks.push({ name: 'M3 flash turn gap p95', value: gap95, limit: 850 });
      checks.push({
        name: `M3 flash p50 − floor (chain ${profile.chainMs} + echo ${ms(echo50)})`,
        value: gap50 - profile.chainMs - echo50,
        limit: 100,
      });
    }
    checks.push({
      name: `M7 INVITE→greeting p95 (${profile.name})`,
      value: m((f) => f.greeting.p95),
      limit: 700,
    });
  }
  let missed = 0;
  for (const c of checks) {
    const ok = c.value <= c.limit;
    if (!ok) missed += 1;
    const verdict = ok ? 'met' : `MISSED by ${ms(c.value - c.limit)}`;
    console.log(`  ${c.name}: ${ms(c.value)} (target ≤ ${c.limit}): ${verdict}`);
  }
  return missed;
}
