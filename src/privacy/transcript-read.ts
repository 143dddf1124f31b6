import { Cluster, type Redis } from 'ioredis';
import type { TranscriptKeys } from './keys.js';
import type { RedisClient } from './scripts.js';
import type { CallTranscript, RecentCall, StoredTurn } from './types.js';

const iso = (ms: string | undefined): string | null =>
  ms === undefined || ms === '' ? null : new Date(Number(ms)).toISOString();

const numberOrNull = (value: string | undefined): number | null =>
  value === undefined || value === '' ? null : Number(value);

const orNull = (value: string | undefined): string | null =>
  value === undefined || value === '' ? null : value;

/** Expiry as Redis will apply it: from the key's remaining TTL, not from our own arithmetic. */
const expiresAt = (pttl: number, now: number): string | null =>
  pttl > 0 ? new Date(now + pttl).toISOString() : null;

function parseTurn(raw: string): StoredTurn | undefined {
  try {
    const turn = JSON.parse(raw) as StoredTurn;
    return typeof turn.text === 'string' ? turn : undefined;
  } catch {
    return undefined;
  }
}

export async function readCall(
  redis: RedisClient,
  keys: TranscriptKeys,
  callId: string,
  clock: () => number,
): Promise<CallTranscript | undefined> {
  const meta = keys.meta(callId);
  const replies = await redis
    .multi()
    .hgetall(meta)
    .lrange(keys.turns(callId), 0, -1)
    .pttl(meta)
    .exec();
  const fields = (replies?.[0]?.[1] ?? {}) as Record<string, string>;
  if (fields.startedAt === undefined) return undefined;
  const turns = ((replies?.[1]?.[1] ?? []) as string[]).map(parseTurn);
  return {
    callId,
    pseudonym: orNull(fields.pseudonym),
    trunkId: orNull(fields.trunkId),
    language: fields.language ?? '',
    startedAt: iso(fields.startedAt) ?? '',
    endedAt: iso(fields.endedAt),
    durationMs: numberOrNull(fields.durationMs),
    outcome: orNull(fields.outcome),
    transferTarget: orNull(fields.transferTarget),
    failure: orNull(fields.failure),
    expiresAt: expiresAt(Number(replies?.[2]?.[1] ?? -2), clock()),
    turns: turns.filter((t): t is StoredTurn => t !== undefined),
  };
}

export async function readRecent(
  redis: RedisClient,
  keys: TranscriptKeys,
  limit: number,
  clock: () => number,
): Promise<RecentCall[]> {
  const count = Math.max(0, Math.min(1000, Math.floor(limit)));
  if (count === 0) return [];
  const now = clock();
  const ids = await redis.zrevrangebyscore(keys.recent(), '+inf', now, 'LIMIT', 0, count);
  const rows: RecentCall[] = [];
  for (const callId of ids) {
    const meta = keys.meta(callId);
    const replies = await redis
      .multi()
      .hmget(meta, 'pseudonym', 'outcome', 'startedAt', 'durationMs')
      .pttl(meta)
      .exec();
    const [pseudonym, outcome, startedAt, durationMs] = (replies?.[0]?.[1] ?? []) as (
      string | null
    )[];
    if (!startedAt) {
      // Expired or erased while still listed: drop the dangling entry.
      await redis.zrem(keys.recent(), callId);
      continue;
    }
    rows.push({
      callId,
      pseudonym: orNull(pseudonym ?? undefined),
      outcome: orNull(outcome ?? undefined),
      startedAt: iso(startedAt) ?? '',
      durationMs: numberOrNull(durationMs ?? undefined),
      expiresAt: expiresAt(Number(replies?.[1]?.[1] ?? -2), now),
    });
  }
  return rows.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/**
 * The hash-tag ids (`{<id>}`) of the hashes matching `pattern` whose `pseudonym` field is one of
 * `pseudonyms`, found by scanning every node: an entry a lost index no longer points at still
 * counts. Transcripts and voicemail messages both use it.
 */
export async function sweepIdsByOwner(
  redis: RedisClient,
  pattern: string,
  pseudonyms: Set<string>,
): Promise<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (batch.length === 0) continue;
      const pipeline = node.pipeline();
      for (const key of batch) pipeline.hget(key, 'pseudonym');
      const owners = (await pipeline.exec()) ?? [];
      batch.forEach((key, i) => {
        const owner = owners[i]?.[1];
        const id = /\{([^}]*)\}/.exec(key)?.[1];
        if (typeof owner === 'string' && pseudonyms.has(owner) && id !== undefined) found.push(id);
      });
    } while (cursor !== '0');
  }
  return found;
}
