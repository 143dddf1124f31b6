import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook.js';

const SECRET = 'whsec-test-0123456789abcdef';
const BODY = '{"type":"message.created","message":{"id":"vm_0123456789abcdef01234567"}}';
const NOW = 1_741_631_400;

describe('webhook signature', () => {
  it('signs as t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    // Reference value computed independently: printf '1741631400.<body>' | openssl dgst -sha256 -hmac <secret>
    const header = signWebhook(SECRET, BODY, NOW + 0.9);
    expect(header).toBe(
      't=1741631400,v1=e7584b9ba8d7b6196bf4e26973165883a0add32b074cbc2c50695ffc2b42cd1e',
    );
    expect(signWebhook(SECRET, BODY, NOW)).toBe(header);
    expect(signWebhook(SECRET, `${BODY} `, NOW)).not.toBe(header);
    expect(signWebhook(`${SECRET}x`, BODY, NOW)).not.toBe(header);
  });

  it('accepts a fresh, valid request once, and refuses its replay', () => {
    const seen = new Set<string>();
    const header = signWebhook(SECRET, BODY, NOW);
    expect(verifyWebhook({ secret: SECRET, header, body: BODY, nowS: NOW + 10, seen })).toEqual({
      ok: true,
      timestamp: NOW,
    });
    expect(verifyWebhook({ secret: SECRET, header, body: BODY, nowS: NOW + 20, seen })).toEqual({
      ok: false,
      reason: 'replay',
    });
  });

  it('refuses a wrong secret, a changed body, a stale or future timestamp, and garbage', () => {
    const seen = new Set<string>();
    const header = signWebhook(SECRET, BODY, NOW);
    const verify = (over: Partial<Parameters<typeof verifyWebhook>[0]>) =>
      verifyWebhook({ secret: SECRET, header, body: BODY, nowS: NOW, seen, ...over });
    expect(verify({ secret: 'another-secret-0123456789' })).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verify({ body: BODY.replace('vm_0', 'vm_1') })).toEqual({
      ok: false,
      reason: 'signature',
    });
    // A timestamp moved forward invalidates the signature; it cannot refresh a stale request.
    expect(verify({ header: header.replace(`t=${NOW}`, `t=${NOW + 1000}`) })).toMatchObject({
      reason: 'signature',
    });
    expect(verify({ nowS: NOW + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ nowS: NOW - 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ nowS: NOW + 301, toleranceS: 600 })).toMatchObject({ ok: true });
    for (const bad of [undefined, '', 'v1=abc', `t=${NOW}`, `t=abc,v1=${'0'.repeat(64)}`]) {
      expect(verify({ header: bad })).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(verify({ header: `t=${NOW},v1=zz` })).toEqual({ ok: false, reason: 'signature' });
  });

  it('accepts any one of several v1 signatures (a receiver rotating its secret)', () => {
    const good = signWebhook(SECRET, BODY, NOW).split(',')[1]!;
    const header = `t=${NOW},v1=${'ab'.repeat(32)},${good}`;
    expect(
      verifyWebhook({ secret: SECRET, header, body: BODY, nowS: NOW, seen: new Set() }),
    ).toMatchObject({ ok: true });
  });

  it('does not remember refused requests', () => {
    const seen = new Set<string>();
    const header = signWebhook(SECRET, BODY, NOW);
    verifyWebhook({ secret: SECRET, header, body: BODY, nowS: NOW + 1000, seen });
    expect(seen.size).toBe(0);
  });
});
