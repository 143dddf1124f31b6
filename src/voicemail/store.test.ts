import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPseudonymizer } from '../admission/index.js';
import { createLogger } from '../telemetry/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { scanForPhoneNumbers } from '../../test/support/leak-scan.js';
import { CallbackKeysMissingError, createMessageStore } from './store.js';
import type { MessageStore } from './types.js';

const pseudonymizer = createPseudonymizer({
  keys: [{ id: 'k1', secret: 'test-secret-0123456789abcdef' }],
  region: 'BE',
});
const ALICE = '+32470123456';
const BOB = '+32471987654';
const SPOKEN = '+32478556677';
const alice = pseudonymizer.pseudonymize(ALICE)!;
const bob = pseudonymizer.pseudonymize(BOB)!;
const K1 = { id: 'k1', key: '3e'.repeat(16) + '9b'.repeat(16) };
const K2 = { id: 'k2', key: 'c4'.repeat(16) + '61'.repeat(16) };

let server: TestRedis;
let redis: Redis;
let prefix: string;
let now: number;
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

function store(callbackKeys = [K1]): MessageStore {
  return createMessageStore({
    redis,
    privacy: { retentionDays: 30, keyPrefix: prefix },
    voicemail: { callbackKeys },
    logger,
    pseudonymizer,
    clock: () => now,
  });
}

const message = (over: Partial<Parameters<MessageStore['save']>[0]> = {}) => ({
  callId: 'SCL_vm1',
  pseudonym: alice,
  language: 'nl',
  text: 'Mijn badge werkt niet meer, bel me op 0478 55 66 77',
  reason: 'closed' as const,
  ...over,
});

/** Every key under the test prefix with every value it holds, one line each. */
async function dump(): Promise<string[]> {
  const lines: string[] = [];
  for (const key of await redis.keys(`${prefix}:*`)) {
    lines.push(key);
    const type = await redis.type(key);
    if (type === 'hash') {
      for (const [f, v] of Object.entries(await redis.hgetall(key))) lines.push(`${f}=${v}`);
    } else if (type === 'zset') {
      lines.push(...(await redis.zrange(key, 0, -1, 'WITHSCORES')));
    } else {
      lines.push(`unexpected type ${type}`);
    }
  }
  return lines;
}

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
  now = Date.parse('2025-03-10T18:30:00Z');
  logLines.length = 0;
});

describe('message store', () => {
  it('saves a message as scrubbed text with retention, and reads it back', async () => {
    const s = store();
    const saved = await s.save(message({ at: now - 5000 }));
    expect(saved.id).toMatch(/^vm_[0-9a-f]{24}$/);
    const got = await s.get(saved.id);
    expect(got).toEqual(saved);
    expect(got).toMatchObject({
      callId: 'SCL_vm1',
      pseudonym: alice,
      language: 'nl',
      reason: 'closed',
      createdAt: new Date(now - 5000).toISOString(),
      expiresAt: new Date(now + 30 * 86_400_000).toISOString(),
      callback: { state: 'none', attempts: 0, updatedAt: null },
      webhook: { deliveredAt: null, attempts: 0 },
    });
    // The number the caller spoke is stored as its pseudonym.
    expect(got?.text).toBe(
      `Mijn badge werkt niet meer, bel me op ${pseudonymizer.pseudonymize(SPOKEN)}`,
    );
    const ttl = await redis.ttl(`${prefix}:vm:{${saved.id}}`);
    expect(ttl).toBeGreaterThan(30 * 86_400 - 60);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400);
    for (const index of ['recent', 'undelivered', `caller:{${alice}}`]) {
      expect(await redis.ttl(`${prefix}:vm:${index}`)).toBeGreaterThan(0);
    }
    expect(await s.get('vm_000000000000000000000000')).toBeUndefined();
    await expect(s.get('+32470123456')).rejects.toThrow(/vm_<24 hex>/);
  });

  it('keeps a consented callback number only encrypted: no key or value in Redis holds it', async () => {
    const s = store();
    const saved = await s.save(message({ callbackNumber: ALICE }));
    expect(saved.callback.state).toBe('requested');
    expect(JSON.stringify(saved)).not.toContain('470123456');
    expect(await s.callbackNumber(saved.id)).toBe(ALICE);

    const lines = await dump();
    expect(lines.some((l) => /^cbNumber=k1:[A-Za-z0-9+/]+={0,2}$/.test(l))).toBe(true);
    expect(scanForPhoneNumbers(lines, [ALICE, SPOKEN])).toEqual([]);
    expect(scanForPhoneNumbers(logLines, [ALICE, SPOKEN])).toEqual([]);
  });

  it('refuses to store a callback number without voicemail.callbackKeys, and stores nothing', async () => {
    const s = store([]);
    const err = await s.save(message({ callbackNumber: ALICE })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackKeysMissingError);
    expect((err as Error).message).toMatch(/voicemail.callbackKeys is empty/);
    expect((err as Error).message).not.toContain('470123456');
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    // Without a number, the message is stored.
    expect((await s.save(message())).callback.state).toBe('none');
  });

  it('rejects bad input without storing it', async () => {
    const s = store();
    await expect(s.save(message({ callbackNumber: '0470123456' }))).rejects.toThrow(/E.164/);
    await expect(s.save(message({ callId: 'sip-+32470123456' }))).rejects.toThrow(/callId/);
    await expect(s.save(message({ pseudonym: ALICE }))).rejects.toThrow(/never by a number/);
    await expect(s.save(message({ text: '  ' }))).rejects.toThrow(/empty/);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('decrypts a number saved before a key rotation', async () => {
    const saved = await store([K1]).save(message({ callbackNumber: ALICE }));
    const rotated = store([K2, K1]);
    expect(await rotated.callbackNumber(saved.id)).toBe(ALICE);
    await expect(store([K2]).callbackNumber(saved.id)).rejects.toThrow(/key "k1"/);
    const newer = await rotated.save(message({ callbackNumber: BOB }));
    expect(await redis.hget(`${prefix}:vm:{${newer.id}}`, 'cbNumber')).toMatch(/^k2:/);
  });

  it('records callback attempts; answering deletes the number', async () => {
    const s = store();
    const saved = await s.save(message({ callbackNumber: ALICE }));
    now += 60_000;
    await s.recordCallback(saved.id, 'dialing');
    await s.recordCallback(saved.id, 'no_answer');
    await s.recordCallback(saved.id, 'dialing');
    expect((await s.get(saved.id))?.callback).toEqual({
      state: 'dialing',
      attempts: 2,
      updatedAt: new Date(now).toISOString(),
    });
    expect(await s.callbackNumber(saved.id)).toBe(ALICE);
    await s.recordCallback(saved.id, 'answered');
    expect((await s.get(saved.id))?.callback.state).toBe('answered');
    expect(await s.callbackNumber(saved.id)).toBeUndefined();
    expect(await redis.hexists(`${prefix}:vm:{${saved.id}}`, 'cbNumber')).toBe(0);
  });

  it('refuses a callback state on a message without consent, and never recreates an erased one', async () => {
    const s = store();
    const plain = await s.save(message());
    await expect(s.recordCallback(plain.id, 'dialing')).rejects.toThrow(/no consented callback/);
    const gone = await s.save(message({ callbackNumber: ALICE }));
    await redis.del(`${prefix}:vm:{${gone.id}}`);
    await s.recordCallback(gone.id, 'failed');
    await s.recordDelivery(gone.id, true);
    expect(await redis.exists(`${prefix}:vm:{${gone.id}}`)).toBe(0);
  });

  it('lists recent messages newest first, and undelivered ones oldest first until delivered', async () => {
    const s = store();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await s.save(message({ text: `bericht ${i}` }))).id);
      now += 1000;
    }
    expect((await s.recent(10)).map((m) => m.id)).toEqual([...ids].reverse());
    expect((await s.recent(2)).map((m) => m.text)).toEqual(['bericht 2', 'bericht 1']);
    expect(await s.undelivered(10)).toEqual(ids);

    await s.recordDelivery(ids[0]!, false);
    expect(await s.undelivered(10)).toEqual(ids);
    await s.recordDelivery(ids[0]!, true);
    expect(await s.undelivered(10)).toEqual([ids[1], ids[2]]);
    expect((await s.get(ids[0]!))?.webhook).toEqual({
      deliveredAt: new Date(now).toISOString(),
      attempts: 2,
    });
    // A message that expired drops out of both lists.
    await redis.del(`${prefix}:vm:{${ids[1]}}`);
    expect(await s.undelivered(1)).toEqual([ids[2]]);
    expect((await s.recent(10)).map((m) => m.id)).toEqual([ids[2], ids[0]]);
  });

  it("lists and erases one caller's messages and callback numbers, and no one else's", async () => {
    const s = store();
    const a1 = await s.save(message({ callbackNumber: ALICE }));
    now += 1000;
    const a2 = await s.save(message({ callId: 'SCL_vm2', text: 'tweede bericht' }));
    const b1 = await s.save(message({ pseudonym: bob, callbackNumber: BOB }));
    // An index entry lost: the scan still finds the message.
    await redis.zrem(`${prefix}:vm:caller:{${alice}}`, a2.id);

    expect((await s.listByPseudonyms([alice])).map((m) => m.id)).toEqual([a1.id, a2.id]);
    expect(await s.eraseByPseudonyms([alice])).toEqual({ messages: 2, callbackNumbers: 1 });
    expect(await s.listByPseudonyms([alice])).toEqual([]);
    expect(await s.get(a1.id)).toBeUndefined();
    expect((await s.recent(10)).map((m) => m.id)).toEqual([b1.id]);
    expect(await s.undelivered(10)).toEqual([b1.id]);
    expect(await s.callbackNumber(b1.id)).toBe(BOB);
    expect(await redis.exists(`${prefix}:vm:caller:{${alice}}`)).toBe(0);
    expect(scanForPhoneNumbers(logLines, [ALICE, BOB])).toEqual([]);
  });
});
