/**
 * A1: latency of one admission decision (rate-limit script + lease script) against a private
 * Redis, open loop at a fixed rate. Prints a table and exits 1 when p99 exceeds the target.
 *
 *   npx tsx bench/admission/run.ts [--rate 200] [--seconds 10] [--target-ms 2]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import {
  admissionConfigSchema,
  createAdmission,
  pseudonymizerFromConfig,
  type AdmissionDecision,
} from '../../src/admission/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import { startRedis } from '../../src/testing/redis-server.js';

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

interface Sample {
  ms: number;
  path: 'both scripts (allowed)' | 'rate limit only (refused)' | 'over capacity';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Synthetic callers; the bench logs nothing, and Redis only ever sees their pseudonyms. */
const callerNumber = (i: number) => `+3247${String(i).padStart(7, '0')}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<number> {
  const server = await startRedis();
  const redis = new Redis(server.url);
  try {
    const config = admissionConfigSchema.parse({ keyPrefix: 'bench' });
    const admission = createAdmission({
      redis,
      config,
      pseudonymizer: pseudonymizerFromConfig(config),
      logger: createLogger({ level: 'silent' }),
    });
    let seq = 0;
    // One decision in 20 comes from one repeat caller, who is rate-limited after 10 calls.
    const decide = async (): Promise<Sample> => {
      const i = seq++;
      const caller = i % 20 === 0 ? callerNumber(0) : callerNumber(1 + (i % 5000));
      const started = performance.now();
      const d: AdmissionDecision = await admission.admit({
        callId: `bench-${i}`,
        caller,
        trunkId: 'ST_bench',
      });
      const ms = performance.now() - started;
      // A call holds its slot briefly; release is outside the measured decision.
      if (d.allowed) setTimeout(() => void d.lease.release(), 20);
      if (d.allowed && d.failedOpen) throw new Error('Redis failed during the benchmark');
      const path = d.allowed
        ? 'both scripts (allowed)'
        : d.reason === 'rate_limited'
          ? 'rate limit only (refused)'
          : 'over capacity';
      return { ms, path };
    };

    const run = async (count: number): Promise<Sample[]> => {
      const interval = 1000 / rate;
      const start = performance.now();
      const pending: Promise<Sample>[] = [];
      for (let i = 0; i < count; i++) {
        const wait = start + i * interval - performance.now();
        if (wait > 0) await sleep(wait);
        pending.push(decide());
      }
      return Promise.all(pending);
    };

    await run(rate); // warm-up: script cache, JIT, connection
    const samples = await run(Math.round(rate * seconds));
    await sleep(50);

    const rows = [
      ['all decisions', samples.map((s) => s.ms)] as const,
      ...(['both scripts (allowed)', 'rate limit only (refused)', 'over capacity'] as const).map(
        (path) => [path, samples.filter((s) => s.path === path).map((s) => s.ms)] as const,
      ),
    ].filter(([, ms]) => ms.length > 0);

    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    // Tail latency on a shared 2-core machine follows its load: print it beside the figures.
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(
      `\nA1 admission decision: ${samples.length} decisions at ${rate}/s over ${seconds} s, ` +
        `Redis ${version} on 127.0.0.1, Node ${process.version}, load average ${load}\n`,
    );
    console.log('| path | n | p50 ms | p95 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [name, ms] of rows) {
      const sorted = [...ms].sort((a, b) => a - b);
      const cells = [50, 95, 99, 100].map((p) => percentile(sorted, p).toFixed(3));
      console.log(`| ${name} | ${sorted.length} | ${cells.join(' | ')} |`);
    }
    const p99 = percentile(
      samples.map((s) => s.ms).sort((a, b) => a - b),
      99,
    );
    const ok = p99 <= targetMs;
    console.log(`\np99 ${p99.toFixed(3)} ms, target ≤ ${targetMs} ms: ${ok ? 'PASS' : 'FAIL'}`);
    return ok ? 0 : 1;
  } finally {
    redis.disconnect();
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
