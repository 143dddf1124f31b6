import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmission, pseudonymizerFromConfig } from '../admission/index.js';
import { parseConfig } from '../config/index.js';
import { createTranscriptStore, findPhoneNumbers } from '../privacy/index.js';
import { createLogger } from '../telemetry/index.js';
import { createMessageStore } from '../voicemail/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { runCli } from '../../test/harness/run-cli.js';

const ALICE = '+32470123456';
const BOB = '+32471987654';
const CALLBACK_KEY = '5a'.repeat(32);

let server: TestRedis;
let redis: Redis;
let dir: string;
let configPath: string;
let prefix: string;

/** Runs the CLI in-process and captures what it prints. */
const cli = (...argv: string[]) => runCli(argv, configPath);

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  dir = mkdtempSync(join(tmpdir(), 'privacy-cli-'));
  prefix = `t${randomBytes(4).toString('hex')}`;
  configPath = join(dir, 'switchboard.yaml');
  writeFileSync(
    configPath,
    [
      `redis: { url: "${server.url}" }`,
      `admission: { keyPrefix: ${prefix}, pseudonymKeys: [{ id: k1, secret: test-secret-0123456789abcdef }] }`,
      `privacy: { keyPrefix: ${prefix} }`,
      `voicemail: { callbackKeys: [{ id: k1, key: "${CALLBACK_KEY}" }] }`,
    ].join('\n'),
  );
  // Two callers, each with a call admitted (rate-limit entry) and a stored transcript.
  const {
    admission: admissionConfig,
    privacy,
    voicemail,
  } = parseConfig({
    admission: {
      keyPrefix: prefix,
      pseudonymKeys: [{ id: 'k1', secret: 'test-secret-0123456789abcdef' }],
    },
    privacy: { keyPrefix: prefix },
    voicemail: { callbackKeys: [{ id: 'k1', key: CALLBACK_KEY }] },
  });
  const pseudonymizer = pseudonymizerFromConfig(admissionConfig);
  const logger = createLogger({ level: 'silent' });
  const admission = createAdmission({ redis, config: admissionConfig, pseudonymizer, logger });
  const store = createTranscriptStore({ redis, config: privacy, logger, pseudonymizer });
  for (const [callId, caller] of [
    ['SCL_alice1', ALICE],
    ['SCL_alice2', '0470 12 34 56'],
    ['SCL_bob1', BOB],
  ] as const) {
    const decision = await admission.admit({ callId, caller, trunkId: 'ST_trunk' });
    if (decision.allowed) await decision.lease.release();
    const t0 = Date.now();
    await store.startCall({ callId, pseudonym: decision.pseudonym, language: 'en', startedAt: t0 });
    await store.addTurn(callId, {
      role: 'caller',
      text: 'I need the helpdesk',
      language: 'en',
      at: t0 + 1000,
    });
    await store.finishCall(callId, { outcome: 'answered', endedAt: t0 + 30_000 });
  }
  // Alice left two messages, one with a callback number; Bob one with his.
  const messages = createMessageStore({ redis, privacy, voicemail, logger, pseudonymizer });
  const alice = pseudonymizer.pseudonymize(ALICE)!;
  const bob = pseudonymizer.pseudonymize(BOB)!;
  const base = { language: 'en', reason: 'closed' } as const;
  await messages.save({ ...base, pseudonym: alice, text: 'Please call me', callbackNumber: ALICE });
  await messages.save({ ...base, pseudonym: alice, text: 'Never mind' });
  await messages.save({ ...base, pseudonym: bob, text: 'Badge broken', callbackNumber: BOB });
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('switchboard privacy', () => {
  it('exports every transcript of a caller as JSON, whatever the number format', async () => {
    const { code, out } = await cli('privacy', 'export', '--caller', '0032 470 12 34 56');
    expect(code).toBe(0);
    const exported = JSON.parse(out) as {
      pseudonymKeyIds: string[];
      calls: { callId: string; turns: { text: string }[] }[];
    };
    expect(exported.pseudonymKeyIds).toEqual(['k1']);
    expect(exported.calls.map((c) => c.callId).sort()).toEqual(['SCL_alice1', 'SCL_alice2']);
    expect(exported.calls[0]?.turns[0]?.text).toBe('I need the helpdesk');
    expect(findPhoneNumbers(out)).toEqual([]);
    expect(out).not.toContain('470123456');
  });

  it("exports a caller's voicemail messages, saying a callback number is stored without printing it", async () => {
    const { code, out } = await cli('privacy', 'export', '--caller', ALICE);
    expect(code).toBe(0);
    const { messages } = JSON.parse(out) as {
      messages: { text: string; callbackNumber: { stored: boolean; sameAsRequest: boolean } }[];
    };
    expect(messages.map((m) => [m.text, m.callbackNumber])).toEqual([
      ['Please call me', { stored: true, sameAsRequest: true }],
      ['Never mind', { stored: false, sameAsRequest: null }],
    ]);
    expect(out).not.toContain('470123456');
    expect(findPhoneNumbers(out)).toEqual([]);
  });

  it('erases one caller (transcripts and rate-limit entries) and prints a receipt without the number', async () => {
    const { code, out, err } = await cli('privacy', 'erase', '--caller', ALICE);
    expect(code, err).toBe(0);
    const receipt = JSON.parse(out) as Record<string, unknown>;
    expect(receipt).toMatchObject({
      receipt: 'switchboard-privacy-erasure',
      pseudonymKeyIds: ['k1'],
      deleted: { transcripts: 2, messages: 2, callbackNumbers: 1, rateLimitEntries: 2 },
    });
    expect(Date.parse(receipt.erasedAt as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(out).not.toMatch(/470123456|k1_[0-9a-f]{32}/);

    const again = JSON.parse((await cli('privacy', 'export', '--caller', ALICE)).out) as {
      calls: unknown[];
      messages: unknown[];
    };
    expect(again.calls).toEqual([]);
    expect(again.messages).toEqual([]);
    const bob = JSON.parse((await cli('privacy', 'export', '--caller', BOB)).out) as {
      calls: { callId: string }[];
      messages: { text: string; callbackNumber: { stored: boolean } }[];
    };
    expect(bob.calls.map((c) => c.callId)).toEqual(['SCL_bob1']);
    expect(bob.messages.map((m) => [m.text, m.callbackNumber.stored])).toEqual([
      ['Badge broken', true],
    ]);
    const rateLimitKeys = await redis.keys(`${prefix}:rl:*`);
    expect(rateLimitKeys.length).toBe(1); // Bob's
  });

  it('refuses a missing or malformed caller without echoing it', async () => {
    const missing = await cli('privacy', 'erase');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/usage: switchboard privacy erase --caller <number>/);
    const bad = await cli('privacy', 'erase', '--caller', 'not-a-number-98765');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/not a phone number/);
    expect(bad.err).not.toContain('98765');
  });
});
