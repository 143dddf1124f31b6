import type { Logger } from '../telemetry/index.js';
import { retentionSeconds, type PrivacyConfig } from './config.js';
import { assertCallId, assertPseudonym, createTranscriptKeys } from './keys.js';
import { maskPhoneNumbers, scrubPhoneNumbers, type NumberPseudonymizer } from './phone-numbers.js';
import { runScript, scripts, type RedisClient } from './scripts.js';
import { readCall, readRecent, sweepIdsByOwner } from './transcript-read.js';
import type {
  CallTranscript,
  FinishCall,
  Instant,
  RecentCall,
  StartCall,
  StoredTurn,
  Turn,
} from './types.js';

export interface TranscriptStoreDeps {
  redis: RedisClient;
  config: Pick<PrivacyConfig, 'retentionDays' | 'retentionSecondsOverride' | 'keyPrefix'>;
  logger: Logger;
  /** Numbers a caller speaks are stored as their pseudonym; without one, as `[number]`. */
  pseudonymizer?: NumberPseudonymizer;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

export interface ListOptions {
  /**
   * Also scan every stored call for the pseudonyms (default true), so a call whose index entry
   * was lost still shows up. Export and erasure must be complete; a console may skip it.
   */
  sweep?: boolean;
}

export interface TranscriptStore {
  readonly retentionSeconds: number;
  startCall(call: StartCall): Promise<void>;
  /** Resolves false when the call no longer exists (erased or expired): it is not recreated. */
  addTurn(callId: string, turn: Turn): Promise<boolean>;
  /** Resolves false when the call no longer exists (erased or expired). */
  finishCall(callId: string, end: FinishCall): Promise<boolean>;
  get(callId: string): Promise<CallTranscript | undefined>;
  /** Every transcript of the given pseudonyms (all active keys of one caller), oldest first. */
  listByPseudonym(pseudonyms: string[], opts?: ListOptions): Promise<CallTranscript[]>;
  /** Deletes every transcript of the given pseudonyms and their index. */
  eraseByPseudonyms(pseudonyms: string[]): Promise<{ transcripts: number }>;
  /** The most recently active calls, newest first, for the operator console. */
  recent(limit: number): Promise<RecentCall[]>;
}

const MAX_TURN_CHARS = 4000;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
const OUTCOME = /^[a-z_]{1,32}(:[a-z_]{1,32})?$/;
/** A code, never free text: an error class or a stage, so no caller data can reach the store. */
const FAILURE = /^[A-Za-z_]{1,64}$/;

function toMs(at: Instant, what: string): number {
  const ms = at instanceof Date ? at.getTime() : at;
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${what} must be a valid time`);
  return Math.round(ms);
}

function checkLanguage(language: string): void {
  if (!LANGUAGE.test(language)) throw new Error('language must be a code such as "nl" or "fr-BE"');
}

export function createTranscriptStore(deps: TranscriptStoreDeps): TranscriptStore {
  const { redis, logger, pseudonymizer } = deps;
  const clock = deps.clock ?? Date.now;
  const ttl = retentionSeconds(deps.config);
  const keys = createTranscriptKeys(deps.config.keyPrefix);

  /** Points the recent-calls index and the caller's index at a call just written, atomically. */
  const index = async (callId: string, pseudonym: string | undefined): Promise<void> => {
    const now = clock();
    const recent = keys.recent();
    await runScript(
      redis,
      scripts.indexCall,
      // A withheld caller has no index of their own; the script then ignores KEYS[2].
      [recent, pseudonym ? keys.byCaller(pseudonym) : recent],
      [callId, now, now + ttl * 1000, ttl, pseudonym ? '1' : '0'],
    );
  };

  const pseudonymOf = (reply: unknown): string | undefined => {
    if (!Array.isArray(reply)) return undefined;
    const value: unknown = reply[0];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

  const collectCallIds = async (pseudonyms: string[], sweep: boolean): Promise<Set<string>> => {
    pseudonyms.forEach(assertPseudonym);
    const ids = new Set<string>();
    for (const pseudonym of pseudonyms) {
      for (const id of await redis.zrange(keys.byCaller(pseudonym), 0, -1)) ids.add(id);
    }
    if (sweep) {
      for (const id of await sweepIdsByOwner(redis, keys.metaPattern(), new Set(pseudonyms))) {
        ids.add(id);
      }
    }
    return ids;
  };

  return {
    retentionSeconds: ttl,

    async startCall(call) {
      assertCallId(call.callId);
      if (call.pseudonym !== undefined) assertPseudonym(call.pseudonym);
      checkLanguage(call.language);
      const fields: Record<string, string> = {
        callId: call.callId,
        pseudonym: call.pseudonym ?? '',
        language: call.language,
        startedAt: String(toMs(call.startedAt, 'startedAt')),
      };
      if (call.trunkId) fields.trunkId = maskPhoneNumbers(call.trunkId);
      const meta = keys.meta(call.callId);
      await redis.multi().hset(meta, fields).expire(meta, ttl).exec();
      await index(call.callId, call.pseudonym);
      logger.debug({ callId: call.callId, pseudonym: call.pseudonym }, 'transcript started');
    },

    async addTurn(callId, turn) {
      assertCallId(callId);
      checkLanguage(turn.language);
      if (turn.role !== 'caller' && turn.role !== 'agent')
        throw new Error('role must be caller or agent');
      const stored: StoredTurn = {
        role: turn.role,
        // A number the caller says ("call me back on 0470…") is personal data too.
        text: scrubPhoneNumbers(turn.text.slice(0, MAX_TURN_CHARS), pseudonymizer),
        language: turn.language,
        at: new Date(toMs(turn.at, 'at')).toISOString(),
      };
      const reply = await runScript(
        redis,
        scripts.appendTurn,
        [keys.meta(callId), keys.turns(callId)],
        [ttl, JSON.stringify(stored)],
      );
      if (reply === null) {
        logger.warn({ callId }, 'transcript turn dropped: call erased or expired');
        return false;
      }
      await index(callId, pseudonymOf(reply));
      return true;
    },

    async finishCall(callId, end) {
      assertCallId(callId);
      if (!OUTCOME.test(end.outcome))
        throw new Error('outcome must look like "answered" or "rejected:rate_limited"');
      const target = end.transferTarget ? maskPhoneNumbers(end.transferTarget) : '';
      if (end.failure !== undefined && !FAILURE.test(end.failure))
        throw new Error('failure must be a short code such as "never_active" or "TypeError"');
      const reply = await runScript(
        redis,
        scripts.finishCall,
        [keys.meta(callId), keys.turns(callId)],
        [ttl, end.outcome, toMs(end.endedAt, 'endedAt'), target, end.failure ?? ''],
      );
      if (reply === null) {
        logger.warn({ callId }, 'transcript outcome dropped: call erased or expired');
        return false;
      }
      await index(callId, pseudonymOf(reply));
      logger.debug({ callId, outcome: end.outcome }, 'transcript finished');
      return true;
    },

    get: (callId) => {
      assertCallId(callId);
      return readCall(redis, keys, callId, clock);
    },

    async listByPseudonym(pseudonyms, opts = {}) {
      const wanted = new Set(pseudonyms);
      const calls: CallTranscript[] = [];
      for (const id of await collectCallIds(pseudonyms, opts.sweep ?? true)) {
        const call = await readCall(redis, keys, id, clock);
        if (call?.pseudonym && wanted.has(call.pseudonym)) calls.push(call);
      }
      return calls.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },

    async eraseByPseudonyms(pseudonyms) {
      const wanted = new Set(pseudonyms);
      let transcripts = 0;
      for (const id of await collectCallIds(pseudonyms, true)) {
        const meta = keys.meta(id);
        const owner = await redis.hget(meta, 'pseudonym');
        // A stale index entry must never delete another caller's call.
        if (owner !== null && !wanted.has(owner)) continue;
        const replies = await redis.multi().del(meta).del(keys.turns(id)).exec();
        if (Number(replies?.[0]?.[1] ?? 0) > 0) transcripts += 1;
        await redis.zrem(keys.recent(), id);
      }
      for (const pseudonym of pseudonyms) await redis.del(keys.byCaller(pseudonym));
      const keyIds = [...new Set(pseudonyms.map((p) => p.split('_')[0]))];
      logger.info({ transcripts, keyIds }, 'transcripts erased');
      return { transcripts };
    },

    recent: (limit) => readRecent(redis, keys, limit, clock),
  };
}
