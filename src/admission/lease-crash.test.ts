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

it('frees every slot of a kill -9ed worker within the lease TTL', async () => {
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

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await once(child, 'exit');
    let freedAfter = Infinity;
    while (Date.now() - killedAt < TTL_MS + 1000) {
      if ((await store.live()) === 1) {
        freedAfter = Date.now() - killedAt;
        break;
      }
      await sleep(50);
    }
    // The last heartbeat was at most 1 s before the kill, so the slots lapse 2 to 3 s after it.
    expect(freedAfter).toBeGreaterThan(1500);
    expect(freedAfter).toBeLessThanOrEqual(TTL_MS + 100);
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
