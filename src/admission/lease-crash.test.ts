import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { createAdmissionKeys } from './keys.js';
import { startLease } from './lease.js';
import { createLeaseStore } from './lease-store.js';
import { connect, sleep, testConfig } from '../../test/harness/admission-support.js';

let server: TestRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = connect(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const TTL_MS = 3000; // as configured in test/harness/hold-leases.ts

it("frees every slot of a kill -9ed worker by lease expiry, keeping the live worker's", async () => {
  const { keyPrefix } = testConfig();
  const store = createLeaseStore({ redis, keys: createAdmissionKeys(keyPrefix) });
  // A call of a live worker, so the lease set outlives the dead worker's leases and expired
  // entries must be pruned, not merely dropped with the key.
  await store.acquire({ callId: 'survivor', ttlMs: TTL_MS, cap: 11 });
  const survivor = startLease({
    store,
    callId: 'survivor',
    ttlMs: TTL_MS,
    heartbeatMs: 1000,
    timeoutMs: 250,
    failedOpen: false,
    onFailure: () => {},
    onReinstated: () => {},
  });
  const fixture = fileURLToPath(new URL('../../test/harness/hold-leases.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, server.url, keyPrefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const deadline = Date.now() + 15_000;
    while (!out.includes('ready')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker: ${out}`);
      await sleep(50);
    }
    // Heartbeats keep the leases past their TTL while the worker lives.
    await sleep(TTL_MS + 300);
    expect(await store.live()).toBe(11);
    expect((await store.acquire({ callId: 'newcomer', ttlMs: TTL_MS, cap: 11 })).acquired).toBe(
      false,
    );

    child.kill('SIGKILL');
    await once(child, 'exit');
    // Nothing releases a dead worker's leases: right after the kill they are all still held.
    expect(await store.live()).toBe(11);
    // Then they lapse by TTL alone. How soon (within the TTL) is measured in bench/timeouts.
    let live = 11;
    const lapsed = Date.now() + 3 * TTL_MS;
    while (live > 1 && Date.now() < lapsed) {
      await sleep(50);
      live = await store.live();
    }
    expect(live, 'only the live worker keeps its slot').toBe(1);
    const fresh = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.acquire({ callId: `fresh-${i}`, ttlMs: TTL_MS, cap: 11 }),
      ),
    );
    expect(fresh.every((r) => r.acquired)).toBe(true);
    expect(await redis.zscore(createAdmissionKeys(keyPrefix).leases(), 'survivor')).not.toBeNull();
  } finally {
    await survivor.release();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
