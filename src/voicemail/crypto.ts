import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { VoicemailConfig } from './config.js';

/** One `voicemail.callbackKeys` entry: an id and 32 bytes as 64 hex characters. */
export type CallbackKey = VoicemailConfig['callbackKeys'][number];

/** Encrypts a consented callback number at rest; the first key encrypts, every key decrypts. */
export interface CallbackCipher {
  /** Id of the key that encrypts. */
  readonly keyId: string;
  /** `<keyId>:<base64(iv | tag | ciphertext)>`. */
  encrypt(plain: string): string;
  /** Throws `CallbackDecryptError` for an unknown key id, a malformed value or a tampered one. */
  decrypt(stored: string): string;
}

/** A stored callback number cannot be decrypted. The message never contains the number. */
export class CallbackDecryptError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CallbackDecryptError';
  }
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const STORED = /^([a-z0-9]{1,16}):([A-Za-z0-9+/]+={0,2})$/;

/**
 * AES-256-GCM with a fresh random 96-bit IV per value. The key id is bound as associated data,
 * so a value cannot be relabelled to another key.
 */
export function createCallbackCipher(keys: readonly CallbackKey[]): CallbackCipher {
  const first = keys[0];
  if (first === undefined) {
    throw new Error(
      'voicemail.callbackKeys is empty: a callback number is only stored encrypted; add a key, e.g. { id: k1, key: "${SWITCHBOARD_CALLBACK_KEY}" } with `openssl rand -hex 32`',
    );
  }
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (!/^[0-9a-fA-F]{64}$/.test(key)) {
      throw new Error(`voicemail.callbackKeys "${id}": key must be 32 bytes as 64 hex characters`);
    }
    if (byId.has(id)) throw new Error(`voicemail.callbackKeys: id "${id}" is used twice`);
    byId.set(id, Buffer.from(key, 'hex'));
  }
  const encryptKey = byId.get(first.id)!;

  return {
    keyId: first.id,

    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, encryptKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(first.id, 'utf8'));
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const packed = Buffer.concat([iv, cipher.getAuthTag(), ct]);
      return `${first.id}:${packed.toString('base64')}`;
    },

    decrypt(stored) {
      const match = STORED.exec(stored);
      if (!match) throw new CallbackDecryptError('stored callback number is malformed');
      const [, id, body] = match as unknown as [string, string, string];
      const key = byId.get(id);
      if (key === undefined) {
        throw new CallbackDecryptError(
          `stored callback number is encrypted with key "${id}", which is not in voicemail.callbackKeys; keep a rotated-out key until its numbers expire`,
        );
      }
      const packed = Buffer.from(body, 'base64');
      if (packed.length <= IV_BYTES + TAG_BYTES) {
        throw new CallbackDecryptError('stored callback number is malformed');
      }
      const decipher = createDecipheriv(ALGORITHM, key, packed.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch (cause) {
        throw new CallbackDecryptError(
          `stored callback number failed authentication under key "${id}" (tampered, or the key changed)`,
          { cause },
        );
      }
    },
  };
}
