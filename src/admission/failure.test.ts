import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { createAdmission } from './admission.js';
import type { AdmissionConfig } from './config.js';
import { admissionDecisions, admissionRedisFailures } from './metrics.js';
import { pseudonymizerFromConfig } from './pseudonym.js';
import {
  captureLogger,
  connect,
  counterTotal,
  testConfig,
} from '../../test/harness/admission-support.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(overrides: Record<string, unknown>) {
  // A test may stop Redis itself; cleanup stops it again, which TestRedis.stop() allows.
  const server: TestRedis = await startRedis();
  const redis: Redis = connect(server.url);
  cleanup.push(
    () => server.stop(),
    () => redis.disconnect(),
  );
  const config: AdmissionConfig = testConfig({ redisTimeoutMs: 200, ...overrides });
  const { logger, lines } = captureLogger();
  const admission = createAdmission({
    redis,
    config,
    pseudonymizer: pseudonymizerFromConfig(config),
    logger,
  });
  return { server, redis, admission, lines };
}

// How fast each of these gives up is measured in bench/timeouts, not asserted here.
describe('when Redis does not answer', () => {
  it('fails open, counts it, and logs the pseudonym only', async () => {
    const { server, admission, lines } = await setup({});
    const healthy = await admission.admit({ callId: 'ok', caller: '0470123456', trunkId: 'T' });
    expect(healthy).toMatchObject({ allowed: true, failedOpen: false });

    const failuresBefore = await counterTotal(admissionRedisFailures);
    const failedOpenBefore = await counterTotal(admissionDecisions, ['result', 'failed_open']);
    await server.stop();
    const result = await admission.admit({
      callId: 'down',
      caller: '+32 470 12 34 56',
      trunkId: 'T',
    });
    expect(result).toMatchObject({ allowed: true, failedOpen: true });
    expect(result.pseudonym).toBe(healthy.pseudonym);
    expect(await counterTotal(admissionRedisFailures)).toBe(failuresBefore + 1);
    expect(await counterTotal(admissionDecisions, ['result', 'failed_open'])).toBe(
      failedOpenBefore + 1,
    );

    // Release must not hang a hung-up call either.
    if (result.allowed) await expect(result.lease.release()).resolves.toBeUndefined();
    if (healthy.allowed) await healthy.lease.release();
    const log = lines.join('\n');
    expect(log).toContain('admission redis failure');
    expect(log).toContain(healthy.pseudonym!);
    expect(log).not.toMatch(/470 ?12 ?34 ?56|32470123456|470123456/);
  });

  it('fails open when Redis is alive but too slow', async () => {
    const { redis, admission } = await setup({ redisTimeoutMs: 100 });
    await redis.call('CLIENT', 'PAUSE', '600', 'ALL');
    const result = await admission.admit({ callId: 'slow', caller: undefined, trunkId: 'T' });
    expect(result).toMatchObject({ allowed: true, failedOpen: true });
    if (result.allowed) await result.lease.release();
  });

  it('refuses instead when the failure policy is closed', async () => {
    const { server, admission } = await setup({ failurePolicy: 'closed' });
    await server.stop();
    const before = await counterTotal(admissionDecisions, ['result', 'failed_closed']);
    const result = await admission.admit({
      callId: 'closed',
      caller: '0470123456',
      trunkId: 'T',
    });
    expect(result).toMatchObject({ allowed: false, reason: 'over_capacity', failedClosed: true });
    expect(await counterTotal(admissionDecisions, ['result', 'failed_closed'])).toBe(before + 1);
  });
});
