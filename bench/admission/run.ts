/**
 * A1: latency of one admission decision (rate-limit script + lease script) against a private
 * Redis, open loop at a fixed rate. Prints a table and exits 1 when p99 exceeds the target.
 *
 *   npx tsx bench/admission/run.ts [--rate 200] [--seconds 10] [--target-ms 2]
 *
 * Each tick also sends two bare PINGs in sequence on a second connection: the floor for any
 * operation of two round trips on this machine at that moment. `decision − 2×PING` (paired per
 * tick) is what admission itself adds.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import {
  admissionConfigSchema,
  createAdmission,
  pseudonymizerFromConfig,
} from '../../src/admission/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import { startRedis } from '../../test/harness/redis-server.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    'target-ms': { type: 'string', default: '2' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const targetMs = Number(values['target-ms']);

type Outcome = 'allowed' | 'rate_limited' | 'over_capacity';
interface Tick {
  decisionMs: number;
  pingMs: number;
  outcome: Outcome;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Synthetic callers; the bench logs nothing, and Redis only ever sees their pseudonyms. */
const callerNumber = (i: number) => `+3247${String(i).padStart(7, '0')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function row(name: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const cells = [50, 95, 99, 100].map((p) => percentile(sorted, p).toFixed(3));
  return `| ${name} | ${sorted.length} | ${cells.join(' | ')} |`;
}

async function main(): Promise<number> {
  const server = await startRedis();
  const redis = new Redis(server.url);
  const probe = new Redis(server.url);
  try {
    // A cap well above the calls in flight: this measures latency, not refusals.
    const config = admissionConfigSchema.parse({
      keyPrefix: 'bench',
      concurrency: { maxCalls: 500 },
    });
    const admission = createAdmission({
      redis,
      config,
      pseudonymizer: pseudonymizerFromConfig(config),
      logger: createLogger({ level: 'silent' }),
    });

    let seq = 0;
    const tick = async (): Promise<Tick> => {
      const i = seq++;
      // One decision in 20 comes from one repeat caller, who is rate-limited after 10 calls.
      const caller = i % 20 === 0 ? callerNumber(0) : callerNumber(1 + (i % 5000));
      const started = performance.now();
      const deciding = admission.admit({ callId: `bench-${i}`, caller, trunkId: 'ST_bench' });
      const pinged = performance.now();
      const pingMs = probe
        .ping()
        .then(() => probe.ping())
        .then(() => performance.now() - pinged);
      const d = await deciding;
      const decisionMs = performance.now() - started;
      if (d.allowed && d.failedOpen) throw new Error('Redis failed during the benchmark');
      // A call holds its slot briefly; release is outside the measured decision.
      if (d.allowed) setTimeout(() => void d.lease.release(), 20);
      return { decisionMs, pingMs: await pingMs, outcome: d.allowed ? 'allowed' : d.reason };
    };

    const run = async (count: number): Promise<Tick[]> => {
      const interval = 1000 / rate;
      const start = performance.now();
      const pending: Promise<Tick>[] = [];
      for (let i = 0; i < count; i++) {
        const wait = start + i * interval - performance.now();
        if (wait > 0) await sleep(wait);
        pending.push(tick());
      }
      return Promise.all(pending);
    };

    await Promise.all([redis.ping(), probe.ping()]);
    await run(rate); // warm-up: script cache, JIT, connections
    const ticks = await run(Math.round(rate * seconds));
    await sleep(50);

    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    // Tail latency on a shared 2-core machine follows its load: print it beside the figures.
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    const of = (outcome: Outcome) =>
      ticks.filter((t) => t.outcome === outcome).map((t) => t.decisionMs);
    const lines = [
      row(
        'all decisions',
        ticks.map((t) => t.decisionMs),
      ),
      row('both scripts (allowed)', of('allowed')),
      row('rate limit only (refused)', of('rate_limited')),
      ...(of('over_capacity').length > 0 ? [row('over capacity', of('over_capacity'))] : []),
      row(
        'floor: 2 PINGs in sequence',
        ticks.map((t) => t.pingMs),
      ),
      row(
        'paired: decision − 2×PING',
        ticks.map((t) => t.decisionMs - t.pingMs),
      ),
    ];
    console.log(
      `\nA1 admission decision: ${ticks.length} decisions at ${rate}/s over ${seconds} s, ` +
        `Redis ${version} on 127.0.0.1, Node ${process.version}, load average ${load}\n`,
    );
    console.log('| path | n | p50 ms | p95 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const line of lines) console.log(line);

    const p99 = percentile(
      ticks.map((t) => t.decisionMs).sort((a, b) => a - b),
      99,
    );
    const ok = p99 <= targetMs;
    console.log(`\np99 ${p99.toFixed(3)} ms, target ≤ ${targetMs} ms: ${ok ? 'PASS' : 'FAIL'}`);
    return ok ? 0 : 1;
  } finally {
    redis.disconnect();
    probe.disconnect();
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
