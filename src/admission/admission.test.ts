import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createAdmission, type AdmissionDecision } from './admission.js';
import type { AdmissionConfig } from './config.js';
import { eraseCallerRateLimit } from './erase.js';
import { anonymousBucket, callerBucket, createAdmissionKeys } from './keys.js';
import { pseudonymizerFromConfig } from './pseudonym.js';
import {
  captureLogger,
  scanKeys,
  testConfig,
  useTestRedis,
} from '../../test/harness/admission-support.js';

const redis = useTestRedis();
const client = redis.client;

function admissionFor(config: AdmissionConfig, opts: { redis?: Redis; clock?: () => number } = {}) {
  const { logger, lines } = captureLogger();
  const admission = createAdmission({
    redis: opts.redis ?? client(),
    config,
    pseudonymizer: pseudonymizerFromConfig(config),
    logger,
    clock: opts.clock,
  });
  return { admission, lines };
}

const release = async (decisions: AdmissionDecision[]) => {
  for (const d of decisions) if (d.allowed) await d.lease.release();
};
const RAW = '0470 12 34 56';

describe('per-caller rate limit', () => {
  it('admits exactly 10 of 100 parallel calls from one caller over 4 connections', async () => {
    const config = testConfig({ concurrency: { maxCalls: 200 } });
    const admissions = [0, 1, 2, 3].map(() => admissionFor(config).admission);
    const decisions = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        admissions[i % 4]!.admit({ callId: `call-${i}`, caller: RAW, trunkId: 'ST_1' }),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused).toHaveLength(90);
    for (const d of refused) {
      expect(d).toMatchObject({ reason: 'rate_limited', failedClosed: false });
      expect(d.retryAfterMs).toBeGreaterThan(3_500_000);
      expect(d.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    }
    // Only admitted calls are recorded.
    const pseudonym = decisions[0]!.pseudonym!;
    const key = createAdmissionKeys(config.keyPrefix).rateLimit(callerBucket(pseudonym));
    expect(await client().zcard(key)).toBe(10);
    await release(decisions);
  });

  it('handles the window boundary to the millisecond', async () => {
    const config = testConfig();
    let now = 1_700_000_000_000;
    const { admission } = admissionFor(config, { clock: () => now });
    const call = (id: string) => admission.admit({ callId: id, caller: RAW, trunkId: 'ST_1' });
    const windowMs = 3_600_000;

    expect((await call('first')).allowed).toBe(true);
    now += 1000;
    for (let i = 0; i < 9; i++) expect((await call(`c${i}`)).allowed).toBe(true);

    now = 1_700_000_000_000 + windowMs - 1;
    expect(await call('late')).toMatchObject({ allowed: false, retryAfterMs: 1 });
    now += 1; // the first call leaves the window exactly now
    expect((await call('late')).allowed).toBe(true);
    expect(await call('later')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    now += 1000;
    expect((await call('later')).allowed).toBe(true);
  });

  it('counts a retried call id once', async () => {
    const config = testConfig({ rateLimit: { maxCalls: 2 } });
    const { admission } = admissionFor(config);
    const call = (id: string) => admission.admit({ callId: id, caller: RAW, trunkId: 'ST_1' });
    const decisions = [await call('invite'), await call('invite'), await call('invite')];
    expect(decisions.every((d) => d.allowed)).toBe(true);
    decisions.push(await call('second'));
    expect(decisions[3]!.allowed).toBe(true);
    expect((await call('third')).allowed).toBe(false);
    // A retry of an admitted call is still admitted.
    expect((await call('invite')).allowed).toBe(true);
    await release(decisions);
  });

  it('puts every written form of one number in one bucket', async () => {
    const config = testConfig({ rateLimit: { maxCalls: 2 } });
    const { admission } = admissionFor(config);
    const forms = ['0470 12 34 56', '+32 470 12 34 56', '0032470123456'];
    const decisions: AdmissionDecision[] = [];
    for (const [i, caller] of forms.entries()) {
      decisions.push(await admission.admit({ callId: `f${i}`, caller, trunkId: 'ST_1' }));
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(new Set(decisions.map((d) => d.pseudonym)).size).toBe(1);
    const other = await admission.admit({ callId: 'o', caller: '0470 12 34 57', trunkId: 'ST_1' });
    expect(other.allowed).toBe(true);
    await release([...decisions, other]);
  });

  it('gives withheld and non-number callers a shared bucket per trunk', async () => {
    const config = testConfig({ anonymous: { maxCalls: 3 } });
    const { admission } = admissionFor(config);
    const callers = [undefined, 'anonymous', 'sip:Restricted@anonymous.invalid', 'softphone'];
    const decisions: AdmissionDecision[] = [];
    for (const [i, caller] of callers.entries()) {
      decisions.push(await admission.admit({ callId: `a${i}`, caller, trunkId: 'ST_a' }));
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.every((d) => d.pseudonym === undefined)).toBe(true);
    const otherTrunk = await admission.admit({ callId: 'b', caller: undefined, trunkId: 'ST_b' });
    expect(otherTrunk.allowed).toBe(true);
    await release([...decisions, otherTrunk]);
  });

  it('still decides a call that arrives without a call id', async () => {
    const config = testConfig({ rateLimit: { maxCalls: 1 } });
    const { admission, lines } = admissionFor(config);
    const first = await admission.admit({ callId: '', caller: RAW, trunkId: 'ST_1' });
    expect(first).toMatchObject({ allowed: true, failedOpen: false });
    const second = await admission.admit({ callId: '', caller: RAW, trunkId: 'ST_1' });
    expect(second).toMatchObject({ allowed: false, reason: 'rate_limited' });
    expect(lines.join('\n')).toContain('admission request without call id');
    await release([first]);
  });
});

describe('concurrency cap in admission', () => {
  it('refuses over capacity without recording the call, and admits once a slot frees', async () => {
    const config = testConfig({ concurrency: { maxCalls: 1 } });
    const { admission } = admissionFor(config);
    const keys = createAdmissionKeys(config.keyPrefix);
    const first = await admission.admit({ callId: 'x1', caller: '0470000001', trunkId: 'ST_1' });
    expect(first.allowed).toBe(true);
    const second = await admission.admit({ callId: 'x2', caller: '0470000002', trunkId: 'ST_1' });
    expect(second).toMatchObject({ allowed: false, reason: 'over_capacity' });
    expect(await client().zcard(keys.rateLimit(callerBucket(second.pseudonym!)))).toBe(0);

    if (first.allowed) {
      await first.lease.release();
      await first.lease.release(); // idempotent
    }
    const retry = await admission.admit({ callId: 'x2', caller: '0470000002', trunkId: 'ST_1' });
    expect(retry.allowed).toBe(true);
    await release([retry]);
    expect(await client().zcard(keys.leases())).toBe(0);
  });
});

describe('privacy in Redis and logs', () => {
  it('stores and logs pseudonyms only, and erasure deletes a caller', async () => {
    const config = testConfig({ rateLimit: { maxCalls: 1 } });
    const { admission, lines } = admissionFor(config);
    const forms = ['0470 12 34 56', '+32470123456', '0032470123456', 'sip:+32470123456@h'];
    const decisions: AdmissionDecision[] = [];
    for (const [i, caller] of forms.entries()) {
      decisions.push(await admission.admit({ callId: `p${i}`, caller, trunkId: 'ST_1' }));
    }
    decisions.push(await admission.admit({ callId: 'q', caller: undefined, trunkId: 'ST_1' }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, false, false, false, true]);

    const redis = client();
    const keys = await scanKeys(redis, `${config.keyPrefix}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const stored = [...keys];
    for (const key of keys) {
      if ((await redis.type(key)) === 'zset') stored.push(...(await redis.zrange(key, 0, -1)));
    }
    const everything = [...stored, ...lines].join('\n');
    for (const digits of ['470123456', '470 12 34 56', '32470123456']) {
      expect(everything).not.toContain(digits);
    }
    expect(lines.join('\n')).toContain(decisions[0]!.pseudonym!);

    const pseudonyms = pseudonymizerFromConfig(config).allPseudonyms(RAW);
    expect(await eraseCallerRateLimit(redis, config, pseudonyms)).toBe(1);
    expect(await eraseCallerRateLimit(redis, config, pseudonyms)).toBe(0);
    const bucketKey = createAdmissionKeys(config.keyPrefix).rateLimit;
    expect(await redis.exists(bucketKey(callerBucket(pseudonyms[0]!)))).toBe(0);
    expect(await redis.exists(bucketKey(anonymousBucket('ST_1')))).toBe(1);
    await expect(eraseCallerRateLimit(redis, config, ['+32470123456'])).rejects.toThrow(
      /pseudonyms/,
    );
    await release(decisions);
  });
});
