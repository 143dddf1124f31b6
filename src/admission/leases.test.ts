import { describe, expect, it } from 'vitest';
import { createAdmissionKeys } from './keys.js';
import { startLease } from './lease.js';
import { createLeaseStore } from './lease-store.js';
import { sleep, testConfig, useTestRedis } from '../../test/harness/admission-support.js';

const redis = useTestRedis();
const client = redis.client;

const freshKeys = () => createAdmissionKeys(testConfig().keyPrefix);

/** ZCARD of the lease set in a tight loop on its own connection while `work` runs. */
async function sampled<T>(key: string, work: () => Promise<T>) {
  const sampler = client();
  await sampler.ping();
  const samples: number[] = [];
  let done = false;
  const loop = (async () => {
    while (!done) samples.push(await sampler.zcard(key));
  })();
  while (samples.length === 0) await sleep(1);
  const before = samples.length;
  const result = await work().finally(() => (done = true));
  await loop;
  return { result, samples, duringRun: samples.length - before };
}

/** Four lease stores on four connections, connected before the race starts. */
async function fourStores(keys: ReturnType<typeof freshKeys>) {
  const redises = [0, 1, 2, 3].map(() => client());
  await Promise.all(redises.map((r) => r.ping()));
  return redises.map((redis) => createLeaseStore({ redis, keys }));
}

describe('concurrency leases', () => {
  it('lets 500 parallel acquires with a cap of 20 hold at most 20', async () => {
    const keys = freshKeys();
    const stores = await fourStores(keys);
    const work = () =>
      Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          stores[i % 4]!.acquire({ callId: `call-${i}`, ttlMs: 60_000, cap: 20 }),
        ),
      );
    const { result, samples, duringRun } = await sampled(keys.leases(), work);
    const acquired = result.filter((r) => r.acquired);
    expect(acquired).toHaveLength(20);
    // Each reply is the count right after its own atomic step: a sample at every step.
    expect(acquired.map((r) => r.liveLeases).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(Math.max(...result.map((r) => r.liveLeases))).toBe(20);
    // The burst is over in a few ms; a sampler on its own connection still sees it from outside.
    expect(duringRun).toBeGreaterThan(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(20);
    expect(await client().zcard(keys.leases())).toBe(20);
  });

  it('never exceeds the cap while calls come and go', async () => {
    const keys = freshKeys();
    const stores = await fourStores(keys);
    const work = () =>
      Promise.all(
        Array.from({ length: 500 }, async (_, i) => {
          const store = stores[i % 4]!;
          await sleep(i % 50);
          const r = await store.acquire({ callId: `call-${i}`, ttlMs: 60_000, cap: 20 });
          if (r.acquired) {
            await sleep(1 + (i % 7));
            await store.release(`call-${i}`);
          }
          return r.acquired;
        }),
      );
    const { result, samples, duringRun } = await sampled(keys.leases(), work);
    expect(result.filter(Boolean).length).toBeGreaterThan(20);
    expect(duringRun).toBeGreaterThan(10);
    expect(Math.max(...samples)).toBeLessThanOrEqual(20);
    expect(await client().zcard(keys.leases())).toBe(0);
  });

  it('expires a lease exactly at its TTL and renews a retried acquire', async () => {
    const keys = freshKeys();
    let now = 1_700_000_000_000;
    const store = createLeaseStore({ redis: client(), keys, clock: () => now });
    expect((await store.acquire({ callId: 'a', ttlMs: 3000, cap: 1 })).acquired).toBe(true);
    // The same call id again (a retried INVITE) holds one slot, not two.
    expect(await store.acquire({ callId: 'a', ttlMs: 3000, cap: 1 })).toMatchObject({
      acquired: true,
      liveLeases: 1,
    });
    now += 2999;
    expect(await store.acquire({ callId: 'b', ttlMs: 3000, cap: 1 })).toEqual({
      acquired: false,
      liveLeases: 1,
      retryAfterMs: 1,
    });
    now += 1;
    expect((await store.acquire({ callId: 'b', ttlMs: 3000, cap: 1 })).acquired).toBe(true);
    expect(await store.live()).toBe(1);
  });

  it('keeps a live lease beyond its TTL by heartbeats, and frees it on release, once', async () => {
    const keys = freshKeys();
    const store = createLeaseStore({ redis: client(), keys });
    const failures: string[] = [];
    await store.acquire({ callId: 'held', ttlMs: 600, cap: 5 });
    const lease = startLease({
      store,
      callId: 'held',
      ttlMs: 600,
      heartbeatMs: 200,
      timeoutMs: 250,
      failedOpen: false,
      onFailure: (op) => failures.push(op),
      onReinstated: () => failures.push('reinstated'),
    });
    // Without heartbeats this one lapses.
    await store.acquire({ callId: 'orphan', ttlMs: 600, cap: 5 });
    await sleep(1300);
    expect(await store.live()).toBe(1);
    expect(await client().zscore(keys.leases(), 'held')).not.toBeNull();

    await Promise.all([lease.release(), lease.release()]);
    await lease.release();
    expect(await store.live()).toBe(0);
    expect(await store.release('held')).toBe(false);
    await sleep(300); // no heartbeat after release brings it back
    expect(await store.live()).toBe(0);
    expect(failures).toEqual([]);
  });

  it('puts a lease that was never recorded (admitted while Redis was away) into the count', async () => {
    const keys = freshKeys();
    const store = createLeaseStore({ redis: client(), keys });
    const reinstated: string[] = [];
    const lease = startLease({
      store,
      callId: 'failed-open',
      ttlMs: 600,
      heartbeatMs: 100,
      timeoutMs: 250,
      failedOpen: true,
      onFailure: () => {},
      onReinstated: () => reinstated.push('failed-open'),
    });
    expect(await store.live()).toBe(0);
    await sleep(250);
    expect(await store.live()).toBe(1);
    expect(reinstated).toEqual(['failed-open']);
    await lease.release();
    expect(await store.live()).toBe(0);
  });
});
