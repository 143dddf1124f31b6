import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import { createMessageStore, type VoicemailMessage } from '../voicemail/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { scanForPhoneNumbers } from '../../test/support/leak-scan.js';
import { runCli } from '../../test/harness/run-cli.js';

const CALLER = '+32470123456';
const KEY = '4b'.repeat(32);

let server: TestRedis;
let redis: Redis;
let dir: string;
let configPath: string;
const ids: string[] = [];
let start: number;

/** Runs the CLI in-process and captures what it prints. */
const cli = (...argv: string[]) => runCli(argv, configPath);

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  dir = mkdtempSync(join(tmpdir(), 'messages-cli-'));
  const prefix = `t${randomBytes(4).toString('hex')}`;
  configPath = join(dir, 'switchboard.yaml');
  writeFileSync(
    configPath,
    [
      `redis: { url: "${server.url}" }`,
      `privacy: { keyPrefix: ${prefix} }`,
      `voicemail: { callbackKeys: [{ id: k1, key: "${KEY}" }] }`,
    ].join('\n'),
  );
  const { privacy, voicemail } = parseConfig({
    privacy: { keyPrefix: prefix },
    voicemail: { callbackKeys: [{ id: 'k1', key: KEY }] },
  });
  // Real time: the CLI prunes expired entries by its own clock.
  let now = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  start = now;
  const store = createMessageStore({
    redis,
    privacy,
    voicemail,
    logger: createLogger({ level: 'silent' }),
    clock: () => now,
  });
  const texts = ['Badge werkt niet', 'Please call me back on 0470 12 34 56', 'Merci'];
  for (const text of texts) {
    const saved = await store.save({
      language: 'en',
      text,
      reason: 'closed',
      callbackNumber: CALLER,
      at: now,
    });
    ids.push(saved.id);
    now += 60_000;
  }
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('switchboard messages', () => {
  it('lists the newest messages first, limited, and never prints a number', async () => {
    const all = await cli('messages', 'list');
    expect(all.code, all.err).toBe(0);
    const rows = all.out.trim().split('\n');
    expect(rows[0]).toMatch(/^id {2}created {2}lang/);
    expect(rows.slice(1).map((r) => r.split('  ')[0])).toEqual([...ids].reverse());
    expect(rows[2]).toContain('Please call me back on [number]');
    const created = new Date(start + 120_000).toISOString().slice(0, 19);
    expect(rows[1]).toContain(`${created}Z  en  closed  requested  -  Merci`);

    const two = await cli('messages', 'list', '--limit', '2', '--json');
    expect(two.code).toBe(0);
    const json = JSON.parse(two.out) as VoicemailMessage[];
    expect(json.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    expect(scanForPhoneNumbers([all.out, two.out, all.err, two.err], [CALLER])).toEqual([]);
  });

  it('shows one message as JSON without its callback number', async () => {
    const shown = await cli('messages', 'show', ids[1]!);
    expect(shown.code, shown.err).toBe(0);
    const message = JSON.parse(shown.out) as VoicemailMessage;
    expect(message).toMatchObject({
      id: ids[1],
      text: 'Please call me back on [number]',
      callback: { state: 'requested', attempts: 0 },
    });
    expect(scanForPhoneNumbers([shown.out], [CALLER])).toEqual([]);
  });

  it('refuses bad arguments and names a message that is gone', async () => {
    expect((await cli('messages', 'list', '--limit', '0')).err).toMatch(
      /usage: switchboard messages list/,
    );
    const bad = await cli('messages', 'show', CALLER);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/usage: switchboard messages show <vm_id>/);
    expect(bad.err).not.toContain('470123456');
    const gone = await cli('messages', 'show', 'vm_0123456789abcdef01234567');
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/no message vm_0123456789abcdef01234567: it expired, was erased/);
  });
});
