import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { admissionConfigSchema, checkAdmission, DEV_PSEUDONYM_KEY } from './config.js';

const messages = (input: unknown) => {
  const result = admissionConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('admission config', () => {
  it('runs with no config: 10 calls an hour, dev key, BE, fail open', () => {
    const config = admissionConfigSchema.parse({});
    expect(config.rateLimit).toEqual({ maxCalls: 10, windowSeconds: 3600 });
    expect(config.concurrency.leaseTtlSeconds).toBeGreaterThanOrEqual(
      3 * config.concurrency.heartbeatSeconds,
    );
    expect(config.failurePolicy).toBe('open');
    expect(config.keyPrefix).toBe('sb');
    expect(config.region).toBe('BE');
    expect(config.pseudonymKeys).toEqual([DEV_PSEUDONYM_KEY]);
    for (const prompts of Object.values(config.rejectionPrompts)) {
      for (const text of Object.values(prompts)) expect(text).toMatch(/\b112\b/);
    }
  });

  it('refuses a lease TTL shorter than twice the heartbeat, naming both fields', () => {
    const [problem, ...rest] = messages({
      concurrency: { leaseTtlSeconds: 10, heartbeatSeconds: 6 },
    });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^concurrency\.leaseTtlSeconds: /);
    expect(problem).toContain('heartbeatSeconds');
    expect(messages({ concurrency: { leaseTtlSeconds: 12, heartbeatSeconds: 6 } })).toEqual([]);
  });

  it('refuses a rejection prompt without the 112 advice, keeping the other defaults', () => {
    expect(
      messages({ rejectionPrompts: { rateLimited: { nl: 'Probeer later opnieuw.' } } }),
    ).toEqual([expect.stringMatching(/^rejectionPrompts\.rateLimited\.nl: .*112/)]);
    // "1120" is not the emergency number.
    expect(messages({ rejectionPrompts: { overCapacity: { en: 'Call 1120.' } } })).toHaveLength(1);
    const custom = admissionConfigSchema.parse({
      rejectionPrompts: { overCapacity: { en: 'Busy. In an emergency, dial 112.' } },
    });
    expect(custom.rejectionPrompts.overCapacity.en).toBe('Busy. In an emergency, dial 112.');
    expect(custom.rejectionPrompts.overCapacity.nl).toMatch(/bezet/);
  });

  it('bounds every number with a message that gives the range', () => {
    expect(messages({ rateLimit: { maxCalls: 0 } })).toEqual([
      'rateLimit.maxCalls: use between 1 and 1000 calls',
    ]);
    expect(messages({ rateLimit: { windowSeconds: 10 } })[0]).toMatch(/between 60 and/);
    expect(messages({ anonymous: { maxCalls: 1e9 } })).toHaveLength(1);
    expect(messages({ concurrency: { maxCalls: 2.5 } })[0]).toMatch(/whole number/);
    expect(messages({ redisTimeoutMs: 60_000 })[0]).toMatch(/^redisTimeoutMs: use between 10/);
  });

  it('checks pseudonym keys: length, count, distinct ids', () => {
    expect(messages({ pseudonymKeys: [{ id: 'k1', secret: 'short' }] })[0]).toMatch(/16/);
    const key = (id: string) => ({ id, secret: 'a-long-enough-secret-' + id });
    expect(messages({ pseudonymKeys: [key('a'), key('b')] })).toEqual([]);
    expect(messages({ pseudonymKeys: [key('a'), key('b'), key('c')] })[0]).toMatch(/at most two/);
    expect(messages({ pseudonymKeys: [key('a'), key('a')] })[0]).toMatch(/must differ/);
    expect(messages({ pseudonymKeys: [key('A_1')] })[0]).toMatch(/lowercase/);
  });

  it('refuses unknown keys, a bad region and a prefix that would break hash tags', () => {
    expect(messages({ rateLimits: {} })).toHaveLength(1);
    expect(messages({ region: 'XX' })[0]).toMatch(/two-letter country code/);
    expect(messages({ keyPrefix: 'a{b}' })[0]).toMatch(/no braces/);
  });

  it('refuses the embedded dev key under profile pilot only', () => {
    const whole = (profile: 'dev' | 'pilot', admission: unknown) =>
      z
        .object({ profile: z.enum(['dev', 'pilot']), admission: admissionConfigSchema })
        .superRefine((c, ctx) => checkAdmission(c, ctx))
        .safeParse({ profile, admission });
    expect(whole('dev', {}).success).toBe(true);
    const pilot = whole('pilot', {});
    expect(pilot.success).toBe(false);
    expect(pilot.error?.issues[0]?.path.join('.')).toBe('admission.pseudonymKeys.0.secret');
    const own = { pseudonymKeys: [{ id: 'k1', secret: 'hospital-secret-0123456789' }] };
    expect(whole('pilot', own).success).toBe(true);
  });
});
