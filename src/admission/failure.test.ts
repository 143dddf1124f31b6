import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { createAdmission } from './admission.js';
import type { AdmissionConfig } from './config.js';
import { pseudonymizerFromConfig } from './pseudonym.js';
import { captureLogger, connect, testConfig } from '../../test/harness/admission-support.js';

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
  // What the job would send to the control plane as call events.
  const reported = { decisions: [] as string[], failures: [] as string[] };
  const admission = createAdmission({
    redis,
    config,
    pseudonymizer: pseudonymizerFromConfig(config),
    logger,
    telemetry: {
      decision: (result) => reported.decisions.push(result),
      redisFailure: (operation) => reported.failures.push(operation),
    },
  });
  return { server, redis, admission, lines, reported };
}

// How fast each of these gives up is measured in bench/timeouts, not asserted here.
describe('when Redis does not answer', () => {
  it('fails open, reports it, and logs the pseudonym only', async () => {
    const { server, admission, lines, reported } = await setup({});
    const healthy = await admission.admit({ callId: 'ok', caller: '0470123456', trunkId: 'T' });
    expect(healthy).toMatchObject({ allowed: true, failedOpen: false });

    expect(reported).toEqual({ decisions: ['allowed'], failures: [] });
    await server.stop();
    const result = await admission.admit({
      callId: 'down',
      caller: '+32 470 12 34 56',
      trunkId: 'T',
    });
    expect(result).toMatchObject({ allowed: true, failedOpen: true });
    expect(result.pseudonym).toBe(healthy.pseudonym);
    expect(reported).toEqual({ decisions: ['allowed', 'failed_open'], failures: ['rate_limit'] });

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
    const { server, admission, reported } = await setup({ failurePolicy: 'closed' });
    await server.stop();
    const result = await admission.admit({
      callId: 'closed',
      caller: '0470123456',
      trunkId: 'T',
    });
    expect(result).toMatchObject({ allowed: false, reason: 'over_capacity', failedClosed: true });
    expect(reported.decisions).toEqual(['failed_closed']);
  });
});
