import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { scanForPhoneNumbers } from '../../test/support/leak-scan.js';
import { startWebhookDelivery, type WebhookDelivery } from './delivery.js';
import { createMessageStore } from './store.js';
import type { MessageStore } from './types.js';
import { verifyWebhook, type WebhookEvent } from './webhook.js';

const SECRET = 'whsec-test-0123456789abcdef';
const CALLER = '+32470123456';
const PSEUDONYM = 'k1_0123456789abcdef0123456789abcdef';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verdict: ReturnType<typeof verifyWebhook>;
}

let server: TestRedis;
let redis: Redis;
let receiver: Server;
let url: string;
let received: Received[];
/** Status the receiver answers a valid request with, one per request; then 204. */
let answers: number[];
let now: number;
let store: MessageStore;
let delivery: WebhookDelivery | undefined;
const seen = new Set<string>();
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

function start(over: Partial<Parameters<typeof startWebhookDelivery>[0]> = {}) {
  delivery = startWebhookDelivery({
    store,
    webhook: { url, secret: SECRET, timeoutMs: 2000 },
    logger,
    sweepMs: 0,
    clock: () => now,
    backoff: { baseMs: 10_000, maxMs: 60_000 },
    ...over,
  });
  return delivery;
}

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  // A receiver as the docs tell one to write it: verify against the raw body, refuse replays.
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const verdict = verifyWebhook({
        secret: SECRET,
        header: req.headers['switchboard-signature'] as string | undefined,
        body,
        nowS: now / 1000,
        seen,
      });
      received.push({ headers: req.headers, body, verdict });
      res.statusCode = verdict.ok
        ? (answers.shift() ?? 204)
        : verdict.reason === 'replay'
          ? 409
          : 401;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/voicemail`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await redis.quit();
  await server.stop();
});
beforeEach(() => {
  received = [];
  answers = [];
  now = Date.parse('2025-03-10T18:30:00Z');
  logLines.length = 0;
  store = createMessageStore({
    redis,
    privacy: { retentionDays: 30, keyPrefix: `t${randomBytes(4).toString('hex')}` },
    voicemail: { callbackKeys: [{ id: 'k1', key: '9d'.repeat(32) }] },
    logger,
    clock: () => now,
  });
});
afterEach(async () => {
  await delivery?.stop();
  delivery = undefined;
});

describe('webhook delivery', () => {
  it('posts a signed message.created without the number; the receiver refuses a replay of it', async () => {
    const saved = await store.save({
      pseudonym: PSEUDONYM,
      language: 'fr',
      text: 'Mon badge ne fonctionne plus',
      reason: 'closed',
      callbackNumber: CALLER,
    });
    await start().deliverSoon(saved.id);

    expect(received).toHaveLength(1);
    const [first] = received as [Received];
    expect(first.verdict).toEqual({ ok: true, timestamp: now / 1000 });
    expect(first.headers['switchboard-message-id']).toBe(saved.id);
    expect(first.headers['content-type']).toBe('application/json');
    const event = JSON.parse(first.body) as WebhookEvent;
    expect(event).toEqual({ type: 'message.created', message: saved });
    expect(scanForPhoneNumbers([first.body, ...logLines], [CALLER])).toEqual([]);

    const after = await store.get(saved.id);
    expect(after?.webhook).toEqual({ deliveredAt: new Date(now).toISOString(), attempts: 1 });
    expect(await store.undelivered(10)).toEqual([]);
    // Delivered: a later sweep sends nothing.
    await delivery!.sweep();
    expect(received).toHaveLength(1);

    // Someone replays the captured request.
    const replay = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'switchboard-signature': first.headers['switchboard-signature'] as string,
      },
      body: first.body,
    });
    expect(replay.status).toBe(409);
    expect(received[1]?.verdict).toEqual({ ok: false, reason: 'replay' });
  });

  it('retries a failed delivery after its backoff, and records every attempt', async () => {
    const saved = await store.save({ language: 'nl', text: 'Graag terugbellen', reason: 'closed' });
    answers = [500, 503];
    const d = start();
    await d.sweep();
    expect(received.map((r) => r.verdict.ok)).toEqual([true]);
    expect((await store.get(saved.id))?.webhook).toEqual({ deliveredAt: null, attempts: 1 });
    expect(await store.undelivered(10)).toEqual([saved.id]);

    // Within the backoff (10 s after the first failure): nothing is sent.
    now += 9_000;
    await d.sweep();
    await d.deliverSoon(saved.id);
    expect(received).toHaveLength(1);

    now += 2_000;
    await d.sweep();
    expect(received).toHaveLength(2);
    // The second failure doubles the wait.
    now += 19_000;
    await d.sweep();
    expect(received).toHaveLength(2);
    now += 2_000;
    await d.sweep();
    expect(received).toHaveLength(3);
    expect((await store.get(saved.id))?.webhook).toEqual({
      deliveredAt: new Date(now).toISOString(),
      attempts: 3,
    });
    // Each request was signed afresh: three different signatures, none a replay.
    expect(new Set(received.map((r) => r.headers['switchboard-signature'])).size).toBe(3);
  });

  it('gives up after maxAttempts, and counts an unreachable receiver as a failed attempt', async () => {
    const saved = await store.save({ language: 'en', text: 'Call me', reason: 'caller_asked' });
    answers = [500, 500, 500];
    const d = start({ maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 } });
    for (let i = 0; i < 4; i++) {
      now += 1000;
      await d.sweep();
    }
    expect(received).toHaveLength(2);
    expect((await store.get(saved.id))?.webhook.attempts).toBe(2);
    expect(logLines.some((l) => l.includes('webhook delivery given up'))).toBe(true);

    const other = await store.save({ language: 'en', text: 'Hello', reason: 'closed' });
    const down = startWebhookDelivery({
      store,
      webhook: { url: 'http://127.0.0.1:9/unreachable', secret: SECRET, timeoutMs: 2000 },
      logger,
      sweepMs: 0,
      clock: () => now,
    });
    await down.deliverSoon(other.id);
    await down.stop();
    expect((await store.get(other.id))?.webhook).toEqual({ deliveredAt: null, attempts: 1 });
  });

  it('does nothing once stopped', async () => {
    const saved = await store.save({ language: 'de', text: 'Bitte zurückrufen', reason: 'closed' });
    const d = start();
    await d.stop();
    await d.deliverSoon(saved.id);
    await d.sweep();
    expect(received).toEqual([]);
    expect((await store.get(saved.id))?.webhook.attempts).toBe(0);
  });
});
