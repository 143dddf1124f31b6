import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * One Lua script per atomic operation on a call's keys, named `<verbNoun>-<numKeys>`. Both
 * refuse to write to a call that no longer exists, so an erased or expired transcript is never
 * brought back by a late turn.
 */
export interface TranscriptScript {
  name: string;
  numberOfKeys: number;
  source: string;
  sha: string;
}

function script(name: string, source: string): TranscriptScript {
  const numberOfKeys = Number(/-(\d+)$/.exec(name)?.[1] ?? 0);
  return { name, numberOfKeys, source, sha: createHash('sha1').update(source).digest('hex') };
}

export const appendTurn = script(
  'appendTurn-2',
  `-- Appends one turn to an existing call and renews the retention of both keys.
-- KEYS[1] call meta hash, KEYS[2] call turns list
-- ARGV[1] retention in seconds, ARGV[2] the turn as JSON
-- Returns { pseudonym, startedAt }, or nil when the call does not exist (erased or expired).
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return redis.call('HMGET', KEYS[1], 'pseudonym', 'startedAt')
`,
);

export const finishCall = script(
  'finishCall-2',
  `-- Records a call's outcome, end and duration, and renews the retention of both keys.
-- KEYS[1] call meta hash, KEYS[2] call turns list
-- ARGV[1] retention in seconds, ARGV[2] outcome, ARGV[3] end (ms since epoch),
-- ARGV[4] transfer target ('' when none)
-- Returns { pseudonym, startedAt }, or nil when the call does not exist (erased or expired).
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local started = tonumber(redis.call('HGET', KEYS[1], 'startedAt'))
local ended = tonumber(ARGV[3])
local duration = 0
if started and ended > started then duration = ended - started end
redis.call('HSET', KEYS[1], 'outcome', ARGV[2], 'endedAt', ARGV[3], 'durationMs', duration)
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'transferTarget', ARGV[4]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return redis.call('HMGET', KEYS[1], 'pseudonym', 'startedAt')
`,
);

/** EVALSHA, falling back to EVAL once when the server has not cached the script yet. */
export async function runScript(
  redis: RedisClient,
  s: TranscriptScript,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  if (keys.length !== s.numberOfKeys) throw new Error(`${s.name} takes ${s.numberOfKeys} keys`);
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
    return redis.eval(s.source, keys.length, ...keys, ...args);
  }
}
