import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/index.js';
import { startReconciler, type Reconciler } from './reconciler.js';
import {
  startTestStack,
  testConfig,
  type TestStack,
} from '../../test/harness/provisioning-stack.js';

let stack: TestStack;
let redis: Redis;
beforeAll(async () => {
  stack = await startTestStack();
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
});
afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});
beforeEach(async () => stack.wipe());

const logger = createLogger({ level: 'silent' });
const config = testConfig({
  inboundTrunks: [
    { name: 'dev', auth: { username: 'softphone', password: 'a-long-dev-password' } },
    { name: 'carrier', numbers: ['+3225550100'], allowedAddresses: ['54.172.60.0/30'] },
  ],
  dispatchRules: [
    { name: 'dev-individual', trunks: ['dev'] },
    { name: 'main', trunks: ['carrier'] },
  ],
});

async function start(intervalMs: number): Promise<Reconciler> {
  return startReconciler({
    config,
    livekit: stack.livekit,
    redisUrl: stack.redis.url,
    logger,
    intervalMs,
    redisPollMs: 250,
  });
}

async function objectCount(): Promise<number> {
  const [trunks, rules] = await Promise.all([
    stack.client.sip.listSipInboundTrunk(),
    stack.client.sip.listSipDispatchRule(),
  ]);
  return trunks.length + rules.length;
}

/**
 * Waits until trunks and rules are all back; throws after `limitMs`. How fast they come back is
 * measured in bench/timeouts (`--only drift`); the tests assert what brought them back.
 */
async function waitForRestore(limitMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    if ((await objectCount().catch(() => 0)) === 4) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trunks and rules not restored within ${limitMs} ms`);
}

describe('startReconciler', () => {
  it('provisions before it resolves, then restores everything on noticing a FLUSHALL', async () => {
    // A long periodic interval: the restore must come from noticing the flush.
    const reconciler = await start(60_000);
    try {
      expect(await objectCount()).toBe(4);
      await redis.flushall();
      expect((await stack.client.sip.listSipInboundTrunk()).length).toBe(0);
      // The periodic check is a minute away: only noticing the flush can restore them here.
      await waitForRestore(10_000);
      const trunks = await stack.client.sip.listSipInboundTrunk();
      expect(trunks.map((t) => t.name).sort()).toEqual(['sb:sb-test:carrier', 'sb:sb-test:dev']);
      expect(reconciler.status().lastTrigger).toBe('redis_flush');
    } finally {
      await reconciler.stop();
    }
  });

  it('restores an object deleted through the API at the next periodic check', async () => {
    const reconciler = await start(500);
    try {
      const [trunk] = await stack.client.sip.listSipInboundTrunk();
      await stack.client.sip.deleteSipTrunk(trunk!.sipTrunkId);
      await waitForRestore(5000);
      expect(reconciler.status().lastTrigger).toBe('periodic');
    } finally {
      await reconciler.stop();
    }
  });

  it('restores everything after Redis restarts empty on the same port', async () => {
    const reconciler = await start(60_000);
    try {
      expect(await objectCount()).toBe(4);
      await stack.redis.stop();
      const port = String(stack.redis.port);
      const child = spawn(
        'redis-server',
        ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      // The stack's stop() now stops this one.
      stack.redis.stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        });
      // The periodic check is a minute away: only noticing the flush can restore them here.
      await waitForRestore(10_000);
      expect(reconciler.status().lastTrigger).toBe('redis_restart');
    } finally {
      await reconciler.stop();
    }
  });

  it('puts back an outbound trunk that was edited or deleted, at the next periodic check', async () => {
    const withOutbound = testConfig({
      ...config.provisioning,
      outboundTrunks: [
        {
          name: 'callback',
          address: 'sip.carrier.example:5061',
          transport: 'tls',
          numbers: ['+3225550100'],
        },
      ],
    });
    const reconciler = await startReconciler({
      config: withOutbound,
      livekit: stack.livekit,
      logger,
      intervalMs: 300,
    });
    const outbound = () => stack.client.sip.listSipOutboundTrunk();
    const until = async (ok: (t: Awaited<ReturnType<typeof outbound>>) => boolean) => {
      for (const t0 = Date.now(); Date.now() - t0 < 5000;) {
        if (ok(await outbound())) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('outbound trunk not restored within 5 s');
    };
    try {
      const [trunk] = await outbound();
      expect(trunk?.address).toBe('sip.carrier.example:5061');
      const edited = trunk!.clone();
      edited.address = 'sip.elsewhere.example';
      await stack.client.sip.updateSipOutboundTrunk(trunk!.sipTrunkId, edited);
      await until((t) => t[0]?.address === 'sip.carrier.example:5061');
      expect((await outbound()).map((t) => t.sipTrunkId)).toEqual([trunk!.sipTrunkId]);

      await stack.client.sip.deleteSipTrunk(trunk!.sipTrunkId);
      await until((t) => t.length === 1 && t[0]?.sipTrunkId !== trunk!.sipTrunkId);
      expect(reconciler.status().lastTrigger).toBe('periodic');
    } finally {
      await reconciler.stop();
    }
  });

  it('rejects at start when LiveKit is unreachable', async () => {
    await expect(
      startReconciler({
        config,
        livekit: { url: 'http://127.0.0.1:9', apiKey: 'k', apiSecret: 's'.repeat(32) },
        logger,
      }),
    ).rejects.toThrow();
  });

  it('stops reconciling after stop()', async () => {
    const reconciler = await start(200);
    await reconciler.stop();
    await redis.flushall();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await objectCount()).toBe(0);
  });
});
