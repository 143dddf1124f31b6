import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from './pseudonym.js';

const current = { id: 'k2', secret: 'current-secret-0123456789' };
const previous = { id: 'k1', secret: 'previous-secret-0123456789' };
const p = createPseudonymizer({ keys: [current], region: 'BE' });

describe('pseudonymizer', () => {
  it('gives every written form of one number the same pseudonym', () => {
    const forms = [
      '0470 12 34 56',
      '+32 470 12 34 56',
      '0032470123456',
      '+32470123456',
      'tel:+32-470-12-34-56',
      'sip:+32470123456@carrier.example;user=phone',
      'sip:%2B32470123456@carrier.example',
    ];
    const pseudonyms = new Set(forms.map((f) => p.pseudonymize(f)));
    expect(pseudonyms.size).toBe(1);
    expect(p.normalize('0470 12 34 56')).toBe('+32470123456');
  });

  it('keeps different numbers and different regions apart', () => {
    expect(p.pseudonymize('0470 12 34 57')).not.toBe(p.pseudonymize('0470 12 34 56'));
    const nl = createPseudonymizer({ keys: [current], region: 'NL' });
    expect(nl.normalize('0612345678')).toBe('+31612345678');
    expect(p.normalize('0612345678')).not.toBe('+31612345678');
  });

  it('treats withheld, anonymous and non-number callers as having no number', () => {
    for (const raw of [
      undefined,
      '',
      'anonymous',
      'sip:Restricted@anonymous.invalid',
      'softphone',
      '12',
    ]) {
      expect(p.pseudonymize(raw)).toBeUndefined();
      expect(p.allPseudonyms(raw)).toEqual([]);
    }
  });

  it('is a keyed HMAC with a key id prefix, not a plain hash of the number', () => {
    const pseudonym = p.pseudonymize('+32470123456')!;
    expect(pseudonym).toMatch(/^k2_[0-9a-f]{32}$/);
    const plain = createHash('sha256').update('+32470123456').digest('hex').slice(0, 32);
    expect(pseudonym).not.toContain(plain);
    const other = createPseudonymizer({
      keys: [{ id: 'k2', secret: 'another-secret-0123456789' }],
      region: 'BE',
    });
    expect(other.pseudonymize('+32470123456')).not.toBe(pseudonym);
  });

  it('during a rotation signs with the first key and still knows the old one', () => {
    const rotating = createPseudonymizer({ keys: [current, previous], region: 'BE' });
    const old = createPseudonymizer({ keys: [previous], region: 'BE' });
    expect(rotating.pseudonymize('0470123456')).toBe(p.pseudonymize('0470123456'));
    expect(rotating.allPseudonyms('0470123456')).toEqual([
      p.pseudonymize('0470123456'),
      old.pseudonymize('0470123456'),
    ]);
  });

  it('refuses unusable keys', () => {
    expect(() => createPseudonymizer({ keys: [], region: 'BE' })).toThrow(/at least one/);
    expect(() => createPseudonymizer({ keys: [{ id: 'k', secret: 'x' }], region: 'BE' })).toThrow(
      /16 characters/,
    );
    expect(() => createPseudonymizer({ keys: [{ ...current, id: '{k}' }], region: 'BE' })).toThrow(
      /lowercase/,
    );
    expect(() => createPseudonymizer({ keys: [current, current], region: 'BE' })).toThrow(/differ/);
  });
});
