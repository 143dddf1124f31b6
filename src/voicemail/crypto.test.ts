import { describe, expect, it } from 'vitest';
import { CallbackDecryptError, createCallbackCipher } from './crypto.js';

const K1 = { id: 'k1', key: '1f'.repeat(16) + 'a3'.repeat(16) };
const K2 = { id: 'k2', key: '7c'.repeat(16) + '05'.repeat(16) };
const NUMBER = '+32470123456';

describe('callback number encryption', () => {
  it('round-trips and stores only `<keyId>:<base64>`, never the number', () => {
    const cipher = createCallbackCipher([K1]);
    const stored = cipher.encrypt(NUMBER);
    expect(stored).toMatch(/^k1:[A-Za-z0-9+/]+={0,2}$/);
    expect(stored).not.toContain('470123456');
    expect(Buffer.from(stored.slice(3), 'base64').toString('latin1')).not.toContain('470123456');
    expect(cipher.decrypt(stored)).toBe(NUMBER);
  });

  it('uses a fresh IV: the same number encrypts differently each time', () => {
    const cipher = createCallbackCipher([K1]);
    expect(cipher.encrypt(NUMBER)).not.toBe(cipher.encrypt(NUMBER));
  });

  it('rejects a tampered value', () => {
    const cipher = createCallbackCipher([K1]);
    const stored = cipher.encrypt(NUMBER);
    const packed = Buffer.from(stored.slice(3), 'base64');
    packed[packed.length - 1]! ^= 0x01;
    expect(() => cipher.decrypt(`k1:${packed.toString('base64')}`)).toThrow(CallbackDecryptError);
    const tag = Buffer.from(stored.slice(3), 'base64');
    tag[14]! ^= 0x80;
    expect(() => cipher.decrypt(`k1:${tag.toString('base64')}`)).toThrow(/failed authentication/);
  });

  it('rejects a value relabelled to another key id', () => {
    const both = createCallbackCipher([K1, { id: 'k2', key: K1.key }]);
    const stored = both.encrypt(NUMBER);
    expect(() => both.decrypt(stored.replace(/^k1:/, 'k2:'))).toThrow(/failed authentication/);
  });

  it('names an unknown key id, without the number', () => {
    const stored = createCallbackCipher([K2]).encrypt(NUMBER);
    const err = (() => {
      try {
        createCallbackCipher([K1]).decrypt(stored);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(CallbackDecryptError);
    expect(err?.message).toMatch(/key "k2", which is not in voicemail.callbackKeys/);
  });

  it('rejects malformed values', () => {
    const cipher = createCallbackCipher([K1]);
    expect(() => cipher.decrypt(NUMBER)).toThrow(/malformed/);
    expect(() => cipher.decrypt('k1:AAAA')).toThrow(/malformed/);
  });

  it('rotates: the first key encrypts, an older key still decrypts', () => {
    const before = createCallbackCipher([K1]).encrypt(NUMBER);
    const rotated = createCallbackCipher([K2, K1]);
    expect(rotated.keyId).toBe('k2');
    expect(rotated.decrypt(before)).toBe(NUMBER);
    const after = rotated.encrypt(NUMBER);
    expect(after.startsWith('k2:')).toBe(true);
    expect(rotated.decrypt(after)).toBe(NUMBER);
  });

  it('refuses to be built without a key, naming the config field', () => {
    expect(() => createCallbackCipher([])).toThrow(/voicemail.callbackKeys is empty/);
    expect(() => createCallbackCipher([K1, K1])).toThrow(/id "k1" is used twice/);
  });
});
