/**
 * The one place that builds voicemail keys, under the privacy key prefix. Keys hold message ids
 * and pseudonyms only, never a number: both are checked before they reach a key.
 */
export interface MessageKeys {
  /** Hash: the message's fields and, with consent, its encrypted callback number. */
  message(id: string): string;
  /** Sorted set of every message id, scored by its expiry (ms): newest first for the console. */
  recent(): string;
  /** Sorted set of one caller's message ids, scored by expiry (ms). */
  byCaller(pseudonym: string): string;
  /** Sorted set of message ids whose webhook is not delivered yet, scored by creation (ms). */
  undelivered(): string;
  /** SCAN pattern matching every message hash. */
  messagePattern(): string;
}

const PREFIX = /^[A-Za-z0-9_-]{1,32}$/;
const MESSAGE_ID = /^vm_[0-9a-f]{24}$/;
/** `<keyId>_<32 hex>`, as `src/admission/pseudonym.ts` derives them. */
const PSEUDONYM = /^[a-z0-9]{1,16}_[0-9a-f]{32}$/;

export function isMessageId(id: string): boolean {
  return MESSAGE_ID.test(id);
}

export function assertMessageId(id: string): void {
  if (!isMessageId(id)) throw new Error('a message id looks like vm_<24 hex>');
}

export function assertMessagePseudonym(pseudonym: string): void {
  if (!PSEUDONYM.test(pseudonym)) {
    throw new Error('messages are indexed by pseudonym (<keyId>_<32 hex>), never by a number');
  }
}

export function createMessageKeys(prefix: string): MessageKeys {
  if (!PREFIX.test(prefix)) {
    throw new Error(
      `privacy.keyPrefix must be 1 to 32 letters, digits, "_" or "-", got "${prefix}"`,
    );
  }
  return {
    message: (id) => `${prefix}:vm:{${id}}`,
    recent: () => `${prefix}:vm:recent`,
    byCaller: (pseudonym) => `${prefix}:vm:caller:{${pseudonym}}`,
    undelivered: () => `${prefix}:vm:undelivered`,
    messagePattern: () => `${prefix}:vm:{vm_*}`,
  };
}
