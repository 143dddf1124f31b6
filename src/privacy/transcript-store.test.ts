import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../admission/pseudonym.js';
import { createLogger } from '../telemetry/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { findPhoneNumbers } from './phone-numbers.js';
import { createTranscriptStore, type TranscriptStore } from './transcript-store.js';

const pseudonymizer = createPseudonymizer({
  keys: [{ id: 'k1', secret: 'test-secret-0123456789abcdef' }],
  region: 'BE',
});
const ALICE = '+32470123456';
const BOB = '0471 98 76 54';
const alice = pseudonymizer.pseudonymize(ALICE)!;
const bob = pseudonymizer.pseudonymize(BOB)!;

let server: TestRedis;
let redis: Redis;
let prefix: string;
const logLines: string[] = [];
const logger = createLogger(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

function store(overrides: { retentionSecondsOverride?: number } = {}): TranscriptStore {
  return createTranscriptStore({
    redis,
    config: { retentionDays: 30, keyPrefix: prefix, ...overrides },
    logger,
    pseudonymizer,
  });
}

async function call(s: TranscriptStore, callId: string, pseudonym: string, t0 = Date.now()) {
  await s.startCall({ callId, pseudonym, trunkId: 'ST_trunk1', language: 'nl', startedAt: t0 });
  await s.addTurn(callId, {
    role: 'agent',
    text: 'Goedendag, waarmee kan ik helpen?',
    language: 'nl',
    at: t0 + 500,
  });
  await s.addTurn(callId, {
    role: 'caller',
    text: 'Bel me terug op 0470 12 34 56 aub',
    language: 'nl',
    at: t0 + 2500,
  });
  await s.finishCall(callId, {
    outcome: 'transferred',
    transferTarget: 'tel:+3225550123',
    endedAt: t0 + 65_000,
  });
}

const ourKeys = () => redis.keys(`${prefix}:*`);

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});
beforeEach(() => {
  prefix = `t${randomBytes(4).toString('hex')}`;
});

describe('transcript store', () => {
  it('keeps why a failed call failed, as a code and never as free text', async () => {
    const s = store();
    await s.startCall({ callId: 'SCL_failed1', pseudonym: alice, language: 'en', startedAt: 1000 });
    await s.finishCall('SCL_failed1', {
      outcome: 'failed',
      failure: 'never_active',
      endedAt: 2000,
    });
    expect(await s.get('SCL_failed1')).toMatchObject({
      outcome: 'failed',
      failure: 'never_active',
    });
    await expect(
      s.finishCall('SCL_failed1', {
        outcome: 'failed',
        failure: 'caller said 0470',
        endedAt: 3000,
      }),
    ).rejects.toThrow(/short code/);
  });

  it('stores turns, outcome, masked transfer target and duration, and reads them back', async () => {
    const s = store();
    const t0 = Date.parse('2025-03-01T10:00:00.000Z');
    await call(s, 'SCL_roundtrip1', alice, t0);
    const got = await s.get('SCL_roundtrip1');
    expect(got).toMatchObject({
      callId: 'SCL_roundtrip1',
      pseudonym: alice,
      trunkId: 'ST_trunk1',
      language: 'nl',
      startedAt: '2025-03-01T10:00:00.000Z',
      endedAt: '2025-03-01T10:01:05.000Z',
      durationMs: 65_000,
      outcome: 'transferred',
      transferTarget: 'tel:[number …123]',
      failure: null,
    });
    expect(got?.turns.map((t) => [t.role, t.at])).toEqual([
      ['agent', '2025-03-01T10:00:00.500Z'],
      ['caller', '2025-03-01T10:00:02.500Z'],
    ]);
    // The number the caller spoke is stored as their pseudonym.
    expect(got?.turns[1]?.text).toBe(`Bel me terug op ${alice} aub`);
    const ttl = await redis.ttl(`${prefix}:tr:{SCL_roundtrip1}:meta`);
    expect(ttl).toBeGreaterThan(30 * 86_400 - 10);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400);
  });

  it('gives every key the retention TTL and keeps no raw number in any key or value', async () => {
    const s = store();
    await call(s, 'SCL_keys1', alice);
    await s.startCall({
      callId: 'SCL_anon1',
      pseudonym: undefined,
      language: 'en',
      startedAt: Date.now(),
    });
    const keys = await ourKeys();
    expect(keys.length).toBe(5); // 2 calls' meta, 1 turns list, caller index, recent index
    for (const key of keys) {
      expect(await redis.ttl(key), key).toBeGreaterThan(0);
      expect(findPhoneNumbers(key), key).toEqual([]);
      const type = await redis.type(key);
      const values =
        type === 'hash'
          ? Object.values(await redis.hgetall(key))
          : type === 'list'
            ? await redis.lrange(key, 0, -1)
            : await redis.zrange(key, 0, -1);
      const dump = values.join('\n');
      expect(findPhoneNumbers(dump), key).toEqual([]);
      for (const digits of ['470123456', '3225550123']) expect(dump).not.toContain(digits);
    }
    expect(logLines.join('')).not.toMatch(/470123456|Bel me terug/);
  });

  it('expires everything, indexes included, once the retention has passed', async () => {
    const s = store({ retentionSecondsOverride: 2 });
    await call(s, 'SCL_expiry1', alice);
    expect((await s.listByPseudonym([alice])).length).toBe(1);
    expect((await ourKeys()).length).toBe(4);
    await new Promise((r) => setTimeout(r, 3100));
    expect(await ourKeys()).toEqual([]);
    expect(await s.listByPseudonym([alice])).toEqual([]);
    expect(await s.recent(10)).toEqual([]);
  });

  it('prunes a dead call from an index that newer calls keep alive', async () => {
    const s = store({ retentionSecondsOverride: 2 });
    await call(s, 'SCL_old1', alice);
    await new Promise((r) => setTimeout(r, 1500));
    await s.startCall({
      callId: 'SCL_new1',
      pseudonym: alice,
      language: 'fr',
      startedAt: Date.now(),
    });
    await new Promise((r) => setTimeout(r, 1000));
    // SCL_old1 has expired; a write to the index drops its entry.
    await s.addTurn('SCL_new1', {
      role: 'caller',
      text: 'bonjour',
      language: 'fr',
      at: Date.now(),
    });
    expect(await redis.zrange(`${prefix}:tr:caller:{${alice}}`, 0, -1)).toEqual(['SCL_new1']);
    expect(await redis.zrange(`${prefix}:tr:recent`, 0, -1)).toEqual(['SCL_new1']);
  });

  it('writes both indexes in one Lua script, never as separate commands', async () => {
    const s = store();
    const monitor = await redis.monitor();
    const seen: { command: string; key: string | undefined; source: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [command = '', key] = args;
      seen.push({ command: command.toLowerCase(), key, source });
    });
    try {
      await s.startCall({ callId: 'SCL_idx1', pseudonym: alice, language: 'nl', startedAt: 1 });
      await s.startCall({
        callId: 'SCL_idx2',
        pseudonym: undefined,
        language: 'nl',
        startedAt: Date.now(),
      });
      await new Promise((r) => setTimeout(r, 200)); // MONITOR lines arrive asynchronously
    } finally {
      monitor.disconnect();
    }
    const indexKeys = new Set([`${prefix}:tr:recent`, `${prefix}:tr:caller:{${alice}}`]);
    const indexWrites = seen.filter((c) => c.key !== undefined && indexKeys.has(c.key));
    // Two calls: recent + caller index, then recent only; three commands each.
    expect(indexWrites.map((c) => `${c.command} ${c.key}`)).toEqual([
      ...[`${prefix}:tr:recent`, `${prefix}:tr:caller:{${alice}}`, `${prefix}:tr:recent`].flatMap(
        (key) => [`zadd ${key}`, `expire ${key}`, `zremrangebyscore ${key}`],
      ),
    ]);
    expect(indexWrites.every((c) => c.source === 'lua')).toBe(true);
    expect(seen.filter((c) => c.command === 'evalsha' || c.command === 'eval').length).toBe(2);
    // Complete: both index entries exist, each with the retention as TTL; no index for a withheld caller.
    expect(await redis.zrange(`${prefix}:tr:caller:{${alice}}`, 0, -1)).toEqual(['SCL_idx1']);
    expect((await redis.zrange(`${prefix}:tr:recent`, 0, -1)).sort()).toEqual([
      'SCL_idx1',
      'SCL_idx2',
    ]);
    for (const key of indexKeys) expect(await redis.ttl(key)).toBeGreaterThan(30 * 86400 - 10);
    expect((await ourKeys()).filter((k) => k.includes(':tr:caller:'))).toHaveLength(1);
  });

  it('erases every call of one caller and nothing of another', async () => {
    const s = store();
    await call(s, 'SCL_a1', alice);
    await call(s, 'SCL_a2', alice);
    await call(s, 'SCL_b1', bob);
    // A call whose index entry was lost is still found by the sweep.
    await redis.zrem(`${prefix}:tr:caller:{${alice}}`, 'SCL_a2');
    const before = await ourKeys();
    expect(await s.eraseByPseudonyms([alice])).toEqual({ transcripts: 2 });
    const after = await ourKeys();
    expect(after.sort()).toEqual(
      [
        `${prefix}:tr:{SCL_b1}:meta`,
        `${prefix}:tr:{SCL_b1}:turns`,
        `${prefix}:tr:caller:{${bob}}`,
        `${prefix}:tr:recent`,
      ].sort(),
    );
    expect(before.length).toBe(after.length + 5);
    expect((await s.listByPseudonym([bob])).map((c) => c.callId)).toEqual(['SCL_b1']);
    expect((await s.recent(10)).map((c) => c.callId)).toEqual(['SCL_b1']);
    // A late turn of an erased call does not bring it back.
    expect(
      await s.addTurn('SCL_a1', { role: 'caller', text: 'hallo', language: 'nl', at: Date.now() }),
    ).toBe(false);
    expect(await s.finishCall('SCL_a1', { outcome: 'answered', endedAt: Date.now() })).toBe(false);
    expect(await redis.exists(`${prefix}:tr:{SCL_a1}:meta`, `${prefix}:tr:{SCL_a1}:turns`)).toBe(0);
  });

  it('lists recent calls for the console with outcome, duration and expiry', async () => {
    const s = store();
    const t0 = Date.now() - 120_000;
    await call(s, 'SCL_r1', alice, t0);
    await s.startCall({ callId: 'SCL_r2', pseudonym: bob, language: 'de', startedAt: t0 + 60_000 });
    await s.finishCall('SCL_r2', { outcome: 'rejected:rate_limited', endedAt: t0 + 61_000 });
    const rows = await s.recent(10);
    expect(rows.map((r) => [r.callId, r.pseudonym, r.outcome, r.durationMs])).toEqual([
      ['SCL_r2', bob, 'rejected:rate_limited', 1000],
      ['SCL_r1', alice, 'transferred', 65_000],
    ]);
    const expiry = Date.parse(rows[0]!.expiresAt!);
    expect(Math.abs(expiry - (Date.now() + 30 * 86_400_000))).toBeLessThan(10_000);
    expect((await s.recent(1)).length).toBe(1);
  });

  it('refuses a raw number or a number-bearing room name as pseudonym or call id', async () => {
    const s = store();
    const start = (callId: string, pseudonym: string) =>
      s.startCall({ callId, pseudonym, language: 'nl', startedAt: Date.now() });
    await expect(start('SCL_x1', ALICE)).rejects.toThrow(/pseudonym/);
    await expect(start('call_+32470123456_abc', alice)).rejects.toThrow(/call id/);
    await expect(start('call_0470123456_abc', alice)).rejects.toThrow(/call id/);
    await expect(start('call_32470123456_abc', alice)).rejects.toThrow(/call id/);
    await expect(s.eraseByPseudonyms([ALICE])).rejects.toThrow(/pseudonym/);
    expect(await ourKeys()).toEqual([]);
  });
});
