import { z } from 'zod';

/** E.164 without anchors: "+", a country code that does not start with 0, at most 15 digits. */
export const E164_PATTERN = String.raw`\+[1-9]\d{6,14}`;

/** A whole string in E.164, for example `+3225550100`. */
export const E164 = new RegExp(`^${E164_PATTERN}$`);

export const E164_HINT =
  'write it in E.164: "+", the country code, then the national number without its leading 0 and without spaces';

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** A zod string in E.164; `message` replaces the default hint where a field explains itself. */
export function e164Schema(message: string = E164_HINT) {
  return z.string().regex(E164, message);
}
