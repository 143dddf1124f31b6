/**
 * How fast the failure paths give up: the timings the unit tests no longer assert (SPEC: "never
 * timed unit tests"). Each scenario runs `--runs` times; prints median and p95 against its bound
 * and exits 1 when a p95 is over it.
 *
 *   npx tsx bench/timeouts/run.ts [--runs 20] [--only admission,lease,backend,pocketsphinx,drift]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { initializeLogger, llm } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { startExampleBackend } from '../../examples/backend/server.js';
import {
  admissionConfigSchema,
  createAdmission,
  pseudonymizerFromConfig,
} from '../../src/admission/index.js';
import { createAdmissionKeys } from '../../src/admission/keys.js';
import { createLeaseStore } from '../../src/admission/lease-store.js';
import { createBackendBrain } from '../../src/agent/brains/backend.js';
import { backendBrainConfigSchema } from '../../src/agent/brains/config.js';
import { pocketsphinxConfigSchema } from '../../src/agent/engines/pocketsphinx-config.js';
import { createPocketsphinxSTT } from '../../src/agent/engines/pocketsphinx-stt.js';
import { startReconciler } from '../../src/provisioning/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import {
  startTestStack,
  testConfig as provisioningConfig,
} from '../../test/harness/provisioning-stack.js';
import { startRedis } from '../../test/harness/redis-server.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    only: { type: 'string', default: 'admission,lease,backend,pocketsphinx,drift' },
  },
});
const runs = Number(values.runs);
const only = new Set(values.only.split(','));
const silent = createLogger({ level: 'silent' });
// agents-js streams log through a global logger that must exist first.
initializeLogger({ pretty: false, level: 'warn' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An admission config with a key prefix of its own. */
const testConfig = (overrides: Record<string, unknown> = {}) =>
  admissionConfigSchema.parse({ keyPrefix: `b${randomBytes(5).toString('hex')}`, ...overrides });

/** As the agent connects; the failures the scenarios cause surface as rejected commands. */
function connect(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
}

interface Row {
  name: string;
  samples: number[];
  /** The p95 must not exceed this, in ms; a lower bound when `atLeast`. */
  boundMs: number;
  atLeast?: boolean;
}
const rows: Row[] = [];

const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

/** Admission against a stopped or paused Redis (src/admission/failure.test.ts's scenarios). */
async function admission(): Promise<void> {
  const open: number[] = [];
  const release: number[] = [];
  const paused: number[] = [];
  const closed: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const policy of ['open', 'closed'] as const) {
      const server = await startRedis();
      const redis = connect(server.url);
      const config = testConfig({ redisTimeoutMs: 200, failurePolicy: policy });
      const admit = createAdmission({
        redis,
        config,
        pseudonymizer: pseudonymizerFromConfig(config),
        logger: silent,
      });
      await admit.admit({ callId: 'warm', caller: '0470123456', trunkId: 'T' });
      await server.stop();
      const started = performance.now();
      const decision = await admit.admit({
        callId: `down-${i}`,
        caller: '0470123456',
        trunkId: 'T',
      });
      (policy === 'open' ? open : closed).push(performance.now() - started);
      if (decision.allowed) {
        const { lease } = decision;
        release.push(await timed(() => lease.release()));
      }
      redis.disconnect();
    }
    const server = await startRedis();
    const redis = connect(server.url);
    const config = testConfig({ redisTimeoutMs: 100 });
    const admit = createAdmission({
      redis,
      config,
      pseudonymizer: pseudonymizerFromConfig(config),
      logger: silent,
    });
    await redis.call('CLIENT', 'PAUSE', '600', 'ALL');
    paused.push(
      await timed(() => admit.admit({ callId: `slow-${i}`, caller: undefined, trunkId: 'T' })),
    );
    redis.disconnect();
    await server.stop();
  }
  rows.push(
    { name: 'admission fails open, Redis stopped (timeout 200)', samples: open, boundMs: 300 },
    { name: 'lease release, Redis stopped (timeout 200)', samples: release, boundMs: 300 },
    { name: 'admission fails open, Redis paused (timeout 100)', samples: paused, boundMs: 200 },
    { name: 'admission fails closed, Redis stopped (timeout 200)', samples: closed, boundMs: 300 },
  );
}

/** kill -9 of a worker holding leases → its slots free (src/admission/lease-crash.test.ts). TTL 3 s. */
async function lease(): Promise<void> {
  const TTL_MS = 3000;
  const freed: number[] = [];
  const server = await startRedis();
  const redis = connect(server.url);
  const fixture = fileURLToPath(new URL('../../test/harness/hold-leases.ts', import.meta.url));
  try {
    for (let i = 0; i < Math.min(runs, 5); i++) {
      const { keyPrefix } = testConfig();
      const store = createLeaseStore({ redis, keys: createAdmissionKeys(keyPrefix) });
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, server.url, keyPrefix], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      while (!out.includes('ready')) await sleep(50);
      await sleep(TTL_MS + 300);
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await once(child, 'exit');
      while ((await store.live()) > 0 && Date.now() - killedAt < 3 * TTL_MS) await sleep(20);
      freed.push(Date.now() - killedAt);
    }
  } finally {
    redis.disconnect();
    await server.stop();
  }
  rows.push({
    name: 'leases of a kill -9ed worker freed (TTL 3000)',
    samples: freed,
    boundMs: 3100,
  });
}

/** A backend that never answers → the caller's fallback (src/agent/brains/backend.test.ts). */
async function backend(): Promise<void> {
  const fallback: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await startExampleBackend({ token: 'bench', script: [{ stall: true }] });
    const brain = createBackendBrain({
      config: backendBrainConfigSchema.parse({
        url: server.url,
        token: 'bench',
        turnTimeoutMs: 300,
        connectTimeoutMs: 1000,
      }),
      callId: `bench-${i}`,
      caller: 'k1_bench',
      language: 'en',
      logger: silent,
      onIntent: () => undefined,
    });
    await brain.start();
    const chatCtx = llm.ChatContext.empty();
    chatCtx.addMessage({ role: 'user', content: 'Hello?' });
    fallback.push(
      await timed(async () => {
        for await (const _ of brain.chat({ chatCtx })) void _;
      }),
    );
    await brain.aclose();
    await server.stop();
  }
  rows.push({
    name: 'backend turn timeout → fallback (timeout 300)',
    samples: fallback,
    boundMs: 290,
    atLeast: true,
  });
  rows.push({
    name: 'backend turn timeout → fallback, upper (timeout 300)',
    samples: fallback,
    boundMs: 800,
  });
}

/** A decoder that hangs → the recogniser gives up and kills it (pocketsphinx-stt.test.ts). */
async function pocketsphinx(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-ps-'));
  const command = join(dir, 'hung.sh');
  writeFileSync(command, '#!/bin/sh\nexec sleep 30\n');
  chmodSync(command, 0o700);
  const engine = await createPocketsphinxSTT({
    config: pocketsphinxConfigSchema.parse({ command, timeoutMs: 500 }),
    phrases: ['operator'],
    logger: silent,
  });
  const frame = new AudioFrame(new Int16Array(320), 16000, 1, 320);
  const gaveUp: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      gaveUp.push(await timed(() => engine.recognize([frame]).catch(() => undefined)));
    }
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push({ name: 'hung pocketsphinx given up (timeout 500)', samples: gaveUp, boundMs: 3000 });
}

/** FLUSHALL → every trunk and rule back (src/provisioning/reconciler.test.ts; README: ~0.7 s). */
async function drift(): Promise<void> {
  const stack = await startTestStack();
  const redis = connect(stack.redis.url);
  const config = provisioningConfig({
    inboundTrunks: [
      { name: 'dev', auth: { username: 'softphone', password: 'a-long-dev-password' } },
    ],
    dispatchRules: [{ name: 'dev-individual', trunks: ['dev'] }],
  });
  const reconciler = await startReconciler({
    config,
    livekit: stack.livekit,
    redisUrl: stack.redis.url,
    logger: silent,
    intervalMs: 60_000,
    redisPollMs: 250,
  });
  const restored: number[] = [];
  const count = async () =>
    (await stack.client.sip.listSipInboundTrunk()).length +
    (await stack.client.sip.listSipDispatchRule()).length;
  try {
    for (let i = 0; i < runs; i++) {
      await redis.flushall();
      const flushedAt = Date.now();
      while ((await count().catch(() => 0)) < 2 && Date.now() - flushedAt < 10_000) await sleep(20);
      restored.push(Date.now() - flushedAt);
      await sleep(300);
    }
  } finally {
    await reconciler.stop();
    redis.disconnect();
    await stack.stop();
  }
  rows.push({
    name: 'trunks and rule back after FLUSHALL (poll 250)',
    samples: restored,
    boundMs: 1000,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const scenarios = { admission, lease, backend, pocketsphinx, drift };
for (const [name, run] of Object.entries(scenarios)) if (only.has(name)) await run();

console.log(`load average (1 min): ${loadavg()[0]!.toFixed(2)}`);
console.log('| scenario | n | median ms | p95 ms | bound ms | ok |');
console.log('|---|--:|--:|--:|--:|:-:|');
let failed = 0;
for (const row of rows) {
  const sorted = [...row.samples].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  const ok = row.atLeast ? sorted[0]! >= row.boundMs : p95 <= row.boundMs;
  if (!ok) failed++;
  const bound = `${row.atLeast ? '≥' : '≤'} ${row.boundMs}`;
  console.log(
    `| ${row.name} | ${sorted.length} | ${p50.toFixed(0)} | ${p95.toFixed(0)} | ${bound} | ${ok ? 'yes' : 'NO'} |`,
  );
}
process.exit(failed > 0 ? 1 : 0);
