import { randomBytes } from 'node:crypto';
import { isE164 } from '../common/index.js';
import {
  findPhoneNumbers,
  retentionSeconds,
  scrubPhoneNumbers,
  sweepIdsByOwner,
  type NumberPseudonymizer,
  type PrivacyConfig,
} from '../privacy/index.js';
import type { Logger } from '../telemetry/index.js';
import type { VoicemailConfig } from './config.js';
import { createCallbackCipher, type CallbackCipher } from './crypto.js';
import { assertMessageId, assertMessagePseudonym, createMessageKeys, isMessageId } from './keys.js';
import { runScript, scripts, type RedisClient } from './scripts.js';
import type {
  CallbackState,
  MessageReason,
  MessageStore,
  NewMessage,
  VoicemailMessage,
} from './types.js';

export interface MessageStoreDeps {
  redis: RedisClient;
  privacy: Pick<PrivacyConfig, 'retentionDays' | 'retentionSecondsOverride' | 'keyPrefix'>;
  voicemail: Pick<VoicemailConfig, 'callbackKeys'>;
  logger: Logger;
  /** Numbers a caller speaks are stored as their pseudonym; without one, as `[number]`. */
  pseudonymizer?: NumberPseudonymizer;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

/** A callback number was offered but `voicemail.callbackKeys` is empty: nothing was stored. */
export class CallbackKeysMissingError extends Error {
  constructor() {
    super(
      'a callback number is only stored encrypted, and voicemail.callbackKeys is empty; add a key (`openssl rand -hex 32`) or save the message without the number',
    );
    this.name = 'CallbackKeysMissingError';
  }
}

/** Long enough for `voicemail.maxMessageSeconds` of speech (600 s at ~15 chars/s). */
const MAX_TEXT_CHARS = 10_000;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
const CALL_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const REASONS: ReadonlySet<MessageReason> = new Set([
  'closed',
  'transfer_failed',
  'caller_asked',
  'carrier_fallback',
]);
const CALLBACK_STATES: ReadonlySet<CallbackState> = new Set([
  'none',
  'requested',
  'dialing',
  'answered',
  'machine',
  'no_answer',
  'failed',
]);

/** States a callback attempt records; `none` and `requested` are set when a message is saved. */
const RECORDABLE: ReadonlySet<string> = new Set([
  'dialing',
  'answered',
  'machine',
  'no_answer',
  'failed',
]);

const iso = (ms: string | undefined): string | null =>
  ms === undefined || ms === '' ? null : new Date(Number(ms)).toISOString();

function toMessage(fields: Record<string, string>): VoicemailMessage | undefined {
  if (fields.id === undefined || fields.createdAt === undefined) return undefined;
  const state = fields.cbState as CallbackState | undefined;
  return {
    id: fields.id,
    callId: fields.callId ? fields.callId : null,
    pseudonym: fields.pseudonym ? fields.pseudonym : null,
    language: fields.language ?? '',
    text: fields.text ?? '',
    reason: (fields.reason ?? 'closed') as MessageReason,
    createdAt: iso(fields.createdAt)!,
    expiresAt: iso(fields.expiresAt),
    callback: {
      state: state !== undefined && CALLBACK_STATES.has(state) ? state : 'none',
      attempts: Number(fields.cbAttempts ?? 0),
      updatedAt: iso(fields.cbUpdatedAt),
    },
    webhook: {
      deliveredAt: iso(fields.whDeliveredAt),
      attempts: Number(fields.whAttempts ?? 0),
    },
  };
}

function checkNewMessage(message: NewMessage): void {
  if (!LANGUAGE.test(message.language))
    throw new Error('language must be a code such as "nl" or "fr-BE"');
  if (!REASONS.has(message.reason))
    throw new Error(`reason must be one of ${[...REASONS].join(', ')}`);
  if (message.callId !== undefined) {
    // A room name from an `individual` dispatch rule contains the caller's number.
    if (!CALL_ID.test(message.callId) || findPhoneNumbers(message.callId).length > 0)
      throw new Error(
        'message callId must be 1 to 128 letters, digits, "_", ".", ":" or "-" and no number; use sip.callID',
      );
  }
  if (message.pseudonym !== undefined) assertMessagePseudonym(message.pseudonym);
  if (message.text.trim() === '') throw new Error('an empty message is not stored');
  if (message.callbackNumber !== undefined && !isE164(message.callbackNumber))
    throw new Error('callbackNumber must be in E.164 ("+", country code, national number)');
}

/**
 * Voicemail messages as text under the transcript retention: one hash per message, indexes of
 * recent messages, of each caller's messages and of undelivered webhooks. A callback number is
 * stored only encrypted, and deleted once the caller is reached, on erasure, and at expiry.
 */
export function createMessageStore(deps: MessageStoreDeps): MessageStore {
  const { redis, logger, pseudonymizer } = deps;
  const clock = deps.clock ?? Date.now;
  const ttl = retentionSeconds(deps.privacy);
  const keys = createMessageKeys(deps.privacy.keyPrefix);
  const cipher: CallbackCipher | undefined =
    deps.voicemail.callbackKeys.length > 0
      ? createCallbackCipher(deps.voicemail.callbackKeys)
      : undefined;

  const read = async (id: string): Promise<VoicemailMessage | undefined> =>
    toMessage(await redis.hgetall(keys.message(id)));

  /** Reads the ids in order, dropping (and unindexing) those whose message expired or was erased. */
  const readAll = async (ids: string[], index?: string): Promise<VoicemailMessage[]> => {
    const found: VoicemailMessage[] = [];
    for (const id of ids) {
      const message = isMessageId(id) ? await read(id) : undefined;
      if (message) found.push(message);
      else if (index !== undefined) await redis.zrem(index, id);
    }
    return found;
  };

  /** Every message id of the pseudonyms: their indexes, plus the scan. */
  const idsOf = async (pseudonyms: string[]): Promise<Set<string>> => {
    pseudonyms.forEach(assertMessagePseudonym);
    const ids = new Set<string>();
    for (const pseudonym of pseudonyms) {
      for (const id of await redis.zrange(keys.byCaller(pseudonym), 0, -1)) ids.add(id);
    }
    for (const id of await sweepIdsByOwner(redis, keys.messagePattern(), new Set(pseudonyms))) {
      if (isMessageId(id)) ids.add(id);
    }
    return ids;
  };

  return {
    async save(message) {
      checkNewMessage(message);
      if (message.callbackNumber !== undefined && cipher === undefined) {
        throw new CallbackKeysMissingError();
      }
      const now = clock();
      const expiresAt = now + ttl * 1000;
      const id = `vm_${randomBytes(12).toString('hex')}`;
      const fields: Record<string, string> = {
        id,
        callId: message.callId ?? '',
        pseudonym: message.pseudonym ?? '',
        language: message.language,
        // A number the caller says ("call me back on 0470…") is personal data too.
        text: scrubPhoneNumbers(message.text.trim().slice(0, MAX_TEXT_CHARS), pseudonymizer),
        reason: message.reason,
        createdAt: String(Math.round(message.at ?? now)),
        expiresAt: String(expiresAt),
        cbState: message.callbackNumber !== undefined ? 'requested' : 'none',
        cbAttempts: '0',
        whAttempts: '0',
      };
      if (message.callbackNumber !== undefined) {
        fields.cbNumber = cipher!.encrypt(message.callbackNumber);
      }
      const key = keys.message(id);
      await redis.multi().hset(key, fields).expire(key, ttl).exec();
      // Indexes: each expires with its newest entry; stale entries are dropped when read.
      await redis.zadd(keys.recent(), expiresAt, id);
      await redis.expire(keys.recent(), ttl);
      await redis.zadd(keys.undelivered(), Number(fields.createdAt), id);
      await redis.expire(keys.undelivered(), ttl);
      if (message.pseudonym !== undefined) {
        await redis.zadd(keys.byCaller(message.pseudonym), expiresAt, id);
        await redis.expire(keys.byCaller(message.pseudonym), ttl);
      }
      logger.info(
        {
          messageId: id,
          callId: message.callId,
          pseudonym: message.pseudonym,
          reason: message.reason,
          callback: fields.cbState,
        },
        'voicemail message saved',
      );
      return toMessage(fields)!;
    },

    async get(id) {
      assertMessageId(id);
      return read(id);
    },

    async recent(limit) {
      const index = keys.recent();
      await redis.zremrangebyscore(index, '-inf', clock());
      const ids = await redis.zrevrange(index, 0, Math.max(0, limit) - 1);
      const messages = await readAll(ids, index);
      return messages.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    async listByPseudonyms(pseudonyms) {
      const wanted = new Set(pseudonyms);
      const messages = await readAll([...(await idsOf(pseudonyms))]);
      return messages
        .filter((m) => m.pseudonym !== null && wanted.has(m.pseudonym))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    async eraseByPseudonyms(pseudonyms) {
      const wanted = new Set(pseudonyms);
      let messages = 0;
      let callbackNumbers = 0;
      for (const id of await idsOf(pseudonyms)) {
        const key = keys.message(id);
        const owner = await redis.hget(key, 'pseudonym');
        // A stale index entry must never delete another caller's message.
        if (owner !== null && !wanted.has(owner)) continue;
        const replies = await redis.multi().hexists(key, 'cbNumber').del(key).exec();
        if (Number(replies?.[1]?.[1] ?? 0) > 0) messages += 1;
        if (Number(replies?.[0]?.[1] ?? 0) > 0) callbackNumbers += 1;
        await redis.zrem(keys.recent(), id);
        await redis.zrem(keys.undelivered(), id);
      }
      for (const pseudonym of pseudonyms) await redis.del(keys.byCaller(pseudonym));
      const keyIds = [...new Set(pseudonyms.map((p) => p.split('_')[0]))];
      logger.info({ messages, callbackNumbers, keyIds }, 'voicemail messages erased');
      return { messages, callbackNumbers };
    },

    async callbackNumber(id) {
      assertMessageId(id);
      const stored = await redis.hget(keys.message(id), 'cbNumber');
      if (stored === null) return undefined;
      if (cipher === undefined) {
        throw new Error(
          'a callback number is stored but voicemail.callbackKeys is empty; restore the key it was encrypted with',
        );
      }
      return cipher.decrypt(stored);
    },

    async recordCallback(id, state) {
      assertMessageId(id);
      if (!RECORDABLE.has(state))
        throw new Error('callback state must be dialing, answered, machine, no_answer or failed');
      const reply = await runScript(
        redis,
        scripts.recordCallback,
        [keys.message(id)],
        [state, clock()],
      );
      if (reply === -1) throw new Error(`message ${id} has no consented callback`);
      if (reply === 0) {
        logger.warn({ messageId: id, state }, 'callback state dropped: message erased or expired');
        return;
      }
      logger.info({ messageId: id, state }, 'callback state recorded');
    },

    async recordDelivery(id, delivered) {
      assertMessageId(id);
      const reply = await runScript(
        redis,
        scripts.recordDelivery,
        [keys.message(id)],
        [delivered ? '1' : '0', clock()],
      );
      if (reply === 0 || delivered) await redis.zrem(keys.undelivered(), id);
    },

    async undelivered(limit) {
      const index = keys.undelivered();
      // Messages created longer ago than the retention have expired.
      await redis.zremrangebyscore(index, '-inf', clock() - ttl * 1000);
      const found: string[] = [];
      let start = 0;
      const page = Math.max(1, limit);
      while (found.length < limit) {
        const ids = await redis.zrange(index, start, start + page - 1);
        if (ids.length === 0) break;
        let removed = 0;
        for (const id of ids) {
          const exists = isMessageId(id) && (await redis.exists(keys.message(id))) > 0;
          if (exists) found.push(id);
          else removed += await redis.zrem(index, id);
        }
        start += ids.length - removed;
      }
      return found.slice(0, limit);
    },
  };
}
