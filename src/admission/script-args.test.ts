import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anonymousBucket, callerBucket, createAdmissionKeys } from './keys.js';
import {
  acquireLeaseArgs,
  consumeRateLimitArgs,
  extendLeaseArgs,
  parseAcquireReply,
  parseFlagReply,
  parseRateLimitReply,
  releaseLeaseArgs,
} from './script-args.js';
import { expandIncludes, loadScript, scripts } from './scripts.js';

/** Redis Cluster's hash tag: the part between the first `{` and the next `}`. */
const hashTag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];

describe('admission keys', () => {
  const keys = createAdmissionKeys('sb');

  it('carry a hash tag and the prefix', () => {
    const rl = keys.rateLimit(callerBucket('k1_00112233445566778899aabbccddeeff'));
    expect(rl).toBe('sb:rl:{c:k1_00112233445566778899aabbccddeeff}');
    expect(hashTag(rl)).toBe('c:k1_00112233445566778899aabbccddeeff');
    expect(hashTag(keys.leases())).toBe('calls');
    expect(keys.leases().startsWith('sb:')).toBe(true);
  });

  it('encode trunk ids so braces cannot move the hash tag', () => {
    expect(anonymousBucket('ST_abc')).toBe('anon:ST_abc');
    expect(anonymousBucket(undefined)).toBe(anonymousBucket(''));
    expect(hashTag(keys.rateLimit(anonymousBucket('a}b{c')))).toBe('anon:a%7Db%7Bc');
    expect(anonymousBucket('a b')).not.toBe(anonymousBucket('a_b'));
  });

  it('refuse a prefix with braces or spaces', () => {
    expect(() => createAdmissionKeys('a{b}')).toThrow(/prefix/);
    expect(() => createAdmissionKeys('')).toThrow(/prefix/);
  });
});

describe('script arguments', () => {
  it('follow the KEYS/ARGV order of each Lua header', () => {
    expect(
      consumeRateLimitArgs({ key: 'k', callId: 'c', maxCalls: 10, windowMs: 3_600_000 }),
    ).toEqual({ keys: ['k'], args: ['c', 10, 3_600_000, ''] });
    expect(acquireLeaseArgs({ key: 'k', callId: 'c', ttlMs: 30_000, cap: 20, nowMs: 5.7 })).toEqual(
      { keys: ['k'], args: ['c', 30_000, 20, 5] },
    );
    expect(extendLeaseArgs({ key: 'k', callId: 'c', ttlMs: 30_000 })).toEqual({
      keys: ['k'],
      args: ['c', 30_000, ''],
    });
    expect(releaseLeaseArgs({ key: 'k', callId: 'c' })).toEqual({ keys: ['k'], args: ['c'] });
  });

  it('refuse values the scripts would misread', () => {
    expect(() => consumeRateLimitArgs({ key: 'k', callId: '', maxCalls: 1, windowMs: 1 })).toThrow(
      /call id/,
    );
    expect(() => consumeRateLimitArgs({ key: 'k', callId: 'c', maxCalls: 0, windowMs: 1 })).toThrow(
      /maxCalls/,
    );
    expect(() => acquireLeaseArgs({ key: 'k', callId: 'c', ttlMs: 1.5, cap: 1 })).toThrow(/ttlMs/);
  });

  it('parse replies and reject malformed ones', () => {
    expect(parseRateLimitReply([0, 0, 10, 1234])).toEqual({
      allowed: false,
      added: false,
      callsInWindow: 10,
      retryAfterMs: 1234,
    });
    expect(parseAcquireReply([1, 20, 0])).toEqual({
      acquired: true,
      liveLeases: 20,
      retryAfterMs: 0,
    });
    expect(parseFlagReply(0, 'x')).toBe(false);
    expect(() => parseRateLimitReply([1, 1, 1])).toThrow(/consumeRateLimit/);
    expect(() => parseAcquireReply('OK')).toThrow(/acquireLease/);
    expect(() => parseFlagReply(2, 'releaseLease')).toThrow(/releaseLease/);
  });
});

describe('Lua scripts', () => {
  const dir = new URL('./lua/', import.meta.url);

  it('are named verbNoun-<numKeys> and document every KEYS and ARGV they use', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.lua'));
    expect(files.sort()).toEqual(
      Object.values(scripts)
        .map((s) => `${s.name}.lua`)
        .sort(),
    );
    for (const file of files) {
      const script = loadScript(file.replace(/\.lua$/, ''));
      const header = /^--\[\[([\s\S]*?)\]\]/.exec(readFileSync(new URL(file, dir), 'utf8'))?.[1];
      expect(header, file).toBeDefined();
      for (const [, kind, n] of script.source.matchAll(/\b(KEYS|ARGV)\[(\d+)\]/g)) {
        expect(header, `${file} header lists ${kind}[${n}]`).toContain(`${kind}[${n}]`);
      }
      const usedKeys = new Set([...script.source.matchAll(/KEYS\[(\d+)\]/g)].map((m) => m[1]));
      expect(usedKeys.size, file).toBe(script.numberOfKeys);
      expect(script.source).not.toMatch(/-- @include/);
    }
  });

  it('inline each include once', () => {
    const out = expandIncludes('-- @include "a"\nx\n-- @include "a"\n', (name) => `-- ${name}!\n`);
    expect(out).toBe('-- a!\nx\n\n');
  });
});
