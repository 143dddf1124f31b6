import { describe, expect, it } from 'vitest';
import { E164, e164Schema, isE164, LANGUAGES, languageSchema } from './index.js';

describe('common definitions', () => {
  it('lists the four languages once, in the order the line offers them', () => {
    expect(LANGUAGES).toEqual(['nl', 'fr', 'en', 'de']);
    expect(languageSchema.options).toEqual([...LANGUAGES]);
    expect(languageSchema.safeParse('es').success).toBe(false);
  });

  it('accepts E.164 and nothing else', () => {
    for (const ok of ['+3225550100', '+12025550100', '+491701234567'])
      expect(isE164(ok)).toBe(true);
    for (const bad of [
      '3225550100',
      '+0225550100',
      '+32 2 555 01 00',
      '+12345',
      '+1234567890123456',
    ])
      expect(isE164(bad)).toBe(false);
    expect(E164.source).toBe('^\\+[1-9]\\d{6,14}$');
  });

  it('builds a zod schema with the default hint or a field-specific message', () => {
    const hint = e164Schema().safeParse('0475');
    expect(hint.success ? '' : hint.error.issues[0]?.message).toMatch(/write it in E\.164/);
    const own = e164Schema('say it my way').safeParse('0475');
    expect(own.success ? '' : own.error.issues[0]?.message).toBe('say it my way');
  });
});
