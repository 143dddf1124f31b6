import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { carriersConfigSchema, checkCarriers, type CarriersConfig } from './config.js';

function problems(input: unknown): string[] {
  const result = carriersConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const twilio = {
  enabled: true,
  accountSid: 'ACf0e1d2c3b4a5968778695a4b3c2d1e0f',
  authToken: 'test-auth-token-0123456789abcdef',
  publicUrl: 'https://switchboard.example.org/',
  helpdeskNumber: '+3225550199',
};

describe('carriers config', () => {
  it('defaults to both carriers disabled, helpdesk fallback, 16 KiB bodies', () => {
    const config = carriersConfigSchema.parse({});
    expect(config.twilio.enabled).toBe(false);
    expect(config.cloudonix.enabled).toBe(false);
    expect(config.twilio.fallback).toBe('helpdesk');
    expect(config.maxBodyBytes).toBe(16 * 1024);
    expect(Object.keys(config.twilio.fallbackMessage).sort()).toEqual(['de', 'en', 'fr', 'nl']);
    for (const text of Object.values(config.twilio.fallbackMessage)) expect(text).toContain('112');
  });

  it('normalises the public URL without its trailing slash', () => {
    expect(carriersConfigSchema.parse({ twilio }).twilio.publicUrl).toBe(
      'https://switchboard.example.org',
    );
  });

  it('names every missing field of an enabled carrier and says how to fix it', () => {
    const found = problems({ twilio: { enabled: true }, cloudonix: { enabled: true } });
    for (const path of [
      'twilio.accountSid',
      'twilio.authToken',
      'twilio.publicUrl',
      'twilio.helpdeskNumber',
      'cloudonix.providerAlias',
      'cloudonix.secret',
      'cloudonix.destinationNumber',
    ]) {
      expect(
        found.some((p) => p.startsWith(`${path}: set`)),
        path,
      ).toBe(true);
    }
  });

  it('refuses numbers that are not E.164, with an example', () => {
    for (const helpdeskNumber of [
      '02 555 01 99',
      '003225550199',
      '+32 2 555 01 99',
      '3225550199',
    ]) {
      const found = problems({ twilio: { ...twilio, helpdeskNumber } });
      expect(found.join(), helpdeskNumber).toMatch(/twilio\.helpdeskNumber: use E\.164.*e\.g\./);
    }
  });

  it('refuses a public URL that is relative, not http(s), or carries a query', () => {
    for (const publicUrl of ['/twilio', 'ftp://x.example.org', 'https://x.example.org/?a=1']) {
      expect(problems({ twilio: { ...twilio, publicUrl } }).join(), publicUrl).toContain(
        'twilio.publicUrl',
      );
    }
  });

  it('refuses SIP domains and users that could change the URI', () => {
    for (const sipDomain of ['sip:x.example.org', 'x.example.org;transport=tcp', 'a@b', 'x y']) {
      expect(problems({ twilio: { ...twilio, sipDomain } }).join(), sipDomain).toContain(
        'twilio.sipDomain',
      );
    }
    expect(problems({ twilio: { ...twilio, sipUser: 'a@evil' } }).join()).toContain(
      'twilio.sipUser',
    );
  });

  it('wants SIP credentials as a pair and messages without control characters', () => {
    expect(problems({ twilio: { ...twilio, sipUsername: 'trunk' } }).join()).toContain(
      'both sipUsername and sipPassword',
    );
    expect(
      problems({ twilio: { ...twilio, fallbackMessage: { en: 'line one\r\nline two' } } }).join(),
    ).toContain('control characters');
  });

  it('is strict: unknown keys are errors', () => {
    expect(problems({ twilio: { ...twilio, authtoken: 'x' } }).join()).toContain('authtoken');
  });

  it('checkCarriers: in pilot an explicit sipDomain must name the TLS port sip.tls serves', () => {
    const issuesFor = (profile: 'dev' | 'pilot', sipDomain: string | undefined) => {
      const carriers: CarriersConfig = carriersConfigSchema.parse({
        twilio: { ...twilio, sipDomain },
      });
      const issues: unknown[] = [];
      const ctx = {
        addIssue: (issue: unknown) => issues.push(issue),
      } as unknown as z.RefinementCtx;
      checkCarriers({ profile, carriers, sip: { tls: { port: 5061 } } }, ctx);
      return JSON.stringify(issues);
    };
    expect(issuesFor('dev', 'sip.example.org:5060')).toBe('[]');
    expect(issuesFor('pilot', undefined)).toBe('[]');
    expect(issuesFor('pilot', 'sip.example.org:5061')).toBe('[]');
    expect(issuesFor('pilot', 'sip.example.org:5060')).toContain('sip.tls.port (5061), not 5060');
  });
});
