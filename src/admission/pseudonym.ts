import { createHmac } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { AdmissionConfig } from './config.js';

export interface PseudonymKey {
  /** Short id written in front of every pseudonym, so a rotated key's pseudonyms stay tellable apart. */
  id: string;
  secret: string;
}

export interface PseudonymizerOptions {
  /** The first key signs new pseudonyms; later keys are still accepted during a rotation grace period. */
  keys: PseudonymKey[];
  /** Region for numbers written without a country code, e.g. `0470 12 34 56` in BE. */
  region: CountryCode;
}

export interface Pseudonymizer {
  /** E.164 form of a caller number, or undefined when it is withheld or not a number. */
  normalize(raw: string | undefined): string | undefined;
  /** `<keyId>_<32 hex>`; undefined when the number is withheld or not a number. */
  pseudonymize(raw: string | undefined): string | undefined;
  /** Every pseudonym the number has under the active keys (current key first): for erasure and lookups during rotation. */
  allPseudonyms(raw: string | undefined): string[];
}

const ANONYMOUS = /^(anonymous|restricted|unavailable|unknown|private|withheld)$/i;

export function createPseudonymizer({ keys, region }: PseudonymizerOptions): Pseudonymizer {
  if (keys.length === 0) throw new Error('at least one pseudonym key is required');
  for (const key of keys) {
    // The id ends up in Redis keys (inside a hash tag) and log lines: keep it plain.
    if (!/^[a-z0-9]{1,16}$/.test(key.id)) {
      throw new Error(
        `pseudonym key id must be 1 to 16 lowercase letters or digits, got "${key.id}"`,
      );
    }
    if (key.secret.length < 16) {
      throw new Error(`pseudonym key "${key.id}" needs a secret of at least 16 characters`);
    }
  }
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new Error('pseudonym key ids must differ');
  }

  const normalize = (raw: string | undefined): string | undefined => {
    if (raw === undefined) return undefined;
    // SIP users arrive as `+32…`, `0032…`, `tel:+32…` or `sip:+32…@host`.
    const user = decodeUser(raw)
      .trim()
      .replace(/^(sips?|tel):/i, '')
      .replace(/@.*$/, '')
      .replace(/;.*$/, '');
    if (user === '' || ANONYMOUS.test(user)) return undefined;
    const international = user.replace(/^00/, '+');
    const parsed = parsePhoneNumberFromString(international, region);
    if (!parsed || !parsed.isPossible()) return undefined;
    return parsed.number;
  };

  const derive = (key: PseudonymKey, e164: string): string =>
    `${key.id}_${createHmac('sha256', key.secret).update(e164).digest('hex').slice(0, 32)}`;

  return {
    normalize,
    pseudonymize(raw) {
      const e164 = normalize(raw);
      return e164 === undefined ? undefined : derive(keys[0]!, e164);
    },
    allPseudonyms(raw) {
      const e164 = normalize(raw);
      return e164 === undefined ? [] : keys.map((key) => derive(key, e164));
    },
  };
}

/** SIP URIs may escape the user part (`%2B32…`); a malformed escape is left as it is. */
function decodeUser(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The pseudonymizer the admission config describes. */
export function pseudonymizerFromConfig(
  config: Pick<AdmissionConfig, 'pseudonymKeys' | 'region'>,
): Pseudonymizer {
  return createPseudonymizer({ keys: config.pseudonymKeys, region: config.region });
}
