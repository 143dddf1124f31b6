import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/harness/run-cli.js';
import { parseConfig } from '../config/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import {
  createOpeningHours,
  helpdeskOpen,
  overrideKey,
  readOverride,
  writeOverride,
} from './index.js';

let server: TestRedis;
let redis: Redis;
let dir: string;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  dir = mkdtempSync(join(tmpdir(), 'helpdesk-cli-'));
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const newPrefix = () => `t${randomBytes(4).toString('hex')}`;

// Monday 6 January 2025, 10:00 in Brussels: inside 08:00-17:00.
const MONDAY_10 = new Date('2025-01-06T09:00:00Z');
const SUNDAY = new Date('2025-01-05T09:00:00Z');
const office = createOpeningHours(
  parseConfig({ helpdesk: { hours: { weekly: { mon: ['08:00-17:00'], tue: ['08:00-17:00'] } } } })
    .helpdesk,
);

describe('readOverride / writeOverride', () => {
  it('round-trips an override under <prefix>:helpdesk:override; none when absent', async () => {
    const prefix = newPrefix();
    expect(await readOverride(redis, prefix)).toBeUndefined();
    await writeOverride(redis, prefix, { state: 'closed' });
    expect(await readOverride(redis, prefix)).toEqual({ state: 'closed' });
    expect(JSON.parse((await redis.get(`${prefix}:helpdesk:override`))!)).toEqual({
      state: 'closed',
    });
    await writeOverride(redis, prefix, undefined);
    expect(await redis.exists(overrideKey(prefix))).toBe(0);
  });

  it('an override with an end expires in Redis too and reads as none once past', async () => {
    const prefix = newPrefix();
    const now = new Date();
    const until = new Date(now.getTime() + 3_600_000).toISOString();
    await writeOverride(redis, prefix, { state: 'open', until }, now);
    const ttl = await redis.pttl(overrideKey(prefix));
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await readOverride(redis, prefix, now)).toEqual({ state: 'open', until });
    expect(await readOverride(redis, prefix, new Date(Date.parse(until) + 1))).toBeUndefined();
  });

  it('refuses an end in the past or not a time, writing nothing', async () => {
    const prefix = newPrefix();
    await expect(
      writeOverride(redis, prefix, { state: 'closed', until: '2000-01-01T00:00:00Z' }),
    ).rejects.toThrow(/until must be in the future/);
    await expect(writeOverride(redis, prefix, { state: 'closed', until: 'soon' })).rejects.toThrow(
      /until must be an ISO 8601 time/,
    );
    expect(await redis.exists(overrideKey(prefix))).toBe(0);
  });

  it('an unreadable value counts as no override', async () => {
    const prefix = newPrefix();
    await redis.set(overrideKey(prefix), 'closed');
    expect(await readOverride(redis, prefix)).toBeUndefined();
    await redis.set(overrideKey(prefix), JSON.stringify({ state: 'shut' }));
    expect(await readOverride(redis, prefix)).toBeUndefined();
  });
});

describe('helpdeskOpen', () => {
  it('follows the schedule without an override, with the closed sentence in the caller’s language', async () => {
    const prefix = newPrefix();
    expect(
      await helpdeskOpen({ hours: office, redis, prefix, now: MONDAY_10, language: 'en' }),
    ).toEqual({ open: true });
    expect(
      await helpdeskOpen({ hours: office, redis, prefix, now: SUNDAY, language: 'nl' }),
    ).toEqual({
      open: false,
      sentence: 'De helpdesk is nu gesloten. Hij gaat weer open morgen om 8 uur.',
    });
  });

  it('the override wins: closed during hours, open outside them', async () => {
    const prefix = newPrefix();
    await writeOverride(redis, prefix, { state: 'closed' });
    expect(
      await helpdeskOpen({ hours: office, redis, prefix, now: MONDAY_10, language: 'en' }),
    ).toEqual({
      open: false,
      sentence: 'The helpdesk is closed now.',
      override: { state: 'closed' },
    });
    await writeOverride(redis, prefix, { state: 'open' });
    expect(
      await helpdeskOpen({ hours: office, redis, prefix, now: SUNDAY, language: 'en' }),
    ).toMatchObject({ open: true, override: { state: 'open' } });
  });

  it('a closed override with an end says when the line reopens', async () => {
    const prefix = newPrefix();
    const until = '2099-01-06T12:30:00.000Z'; // 13:30 in Brussels
    await writeOverride(redis, prefix, { state: 'closed', until });
    const now = new Date('2099-01-06T09:00:00Z');
    const always = createOpeningHours({});
    expect(await helpdeskOpen({ hours: always, redis, prefix, now, language: 'de' })).toEqual({
      open: false,
      sentence: 'Der Helpdesk ist jetzt geschlossen. Er öffnet wieder heute um 13:30 Uhr.',
      override: { state: 'closed', until },
    });
  });

  it('falls back to the schedule when Redis fails, and reports the failure', async () => {
    const broken = { get: () => Promise.reject(new Error('connection lost')) };
    const errors: unknown[] = [];
    const args = { hours: office, redis: broken, prefix: 'x', language: 'en' as const };
    const onRedisError = (err: unknown) => errors.push(err);
    expect(await helpdeskOpen({ ...args, now: MONDAY_10, onRedisError })).toEqual({ open: true });
    expect(await helpdeskOpen({ ...args, now: SUNDAY, onRedisError })).toMatchObject({
      open: false,
    });
    expect(errors).toHaveLength(2);
    // A Redis that never answers is not waited for beyond the timeout.
    const silent = { get: () => new Promise<string | null>(() => undefined) };
    const state = await helpdeskOpen({
      ...args,
      redis: silent,
      now: MONDAY_10,
      redisTimeoutMs: 1,
    });
    expect(state).toEqual({ open: true });
  });
});

describe('switchboard helpdesk', () => {
  let prefix: string;
  let configPath: string;

  /** Runs the CLI in-process and captures what it prints. */
  const cli = (...argv: string[]) => runCli(argv, configPath);

  beforeAll(() => {
    prefix = newPrefix();
    configPath = join(dir, 'switchboard.yaml');
    writeFileSync(
      configPath,
      [`redis: { url: "${server.url}" }`, `privacy: { keyPrefix: ${prefix} }`].join('\n'),
    );
  });

  it('close, status, resume: the override is written where the agent reads it', async () => {
    const closed = await cli('helpdesk', 'close');
    expect(closed.code).toBe(0);
    expect(JSON.parse(closed.out)).toMatchObject({
      open: false,
      override: { state: 'closed' },
      sentence: 'The helpdesk is closed now.',
      hours: 'The helpdesk is open around the clock.',
    });
    expect(await readOverride(redis, prefix)).toEqual({ state: 'closed' });

    const status = await cli('helpdesk', 'status');
    expect(JSON.parse(status.out)).toMatchObject({ open: false, override: { state: 'closed' } });

    const resumed = await cli('helpdesk', 'resume');
    expect(JSON.parse(resumed.out)).toMatchObject({ open: true, override: null });
    expect(await readOverride(redis, prefix)).toBeUndefined();
  });

  it('close --until sets an end; open sets an open override', async () => {
    const until = new Date(Date.now() + 7_200_000).toISOString();
    expect((await cli('helpdesk', 'close', '--until', until)).code).toBe(0);
    expect(await readOverride(redis, prefix)).toEqual({ state: 'closed', until });
    expect((await cli('helpdesk', 'open')).code).toBe(0);
    expect(await readOverride(redis, prefix)).toEqual({ state: 'open' });
    await cli('helpdesk', 'resume');
  });

  it('refuses a bad --until with exit 1 and leaves the override alone', async () => {
    await cli('helpdesk', 'close');
    const bad = await cli('helpdesk', 'open', '--until', 'tomorrow');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--until must be an ISO 8601 time/);
    const past = await cli('helpdesk', 'open', '--until', '2000-01-01T00:00:00Z');
    expect(past.code).toBe(1);
    expect(past.err).toMatch(/--until must be in the future/);
    expect(await readOverride(redis, prefix)).toEqual({ state: 'closed' });
    await cli('helpdesk', 'resume');
  });

  it('exits 1 naming the host when Redis does not answer', async () => {
    const down = await startRedis();
    await down.stop();
    const path = join(dir, 'down.yaml');
    writeFileSync(path, `redis: { url: "${down.url}" }`);
    const saved = configPath;
    configPath = path;
    try {
      const result = await cli('helpdesk', 'status');
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/redis at 127\.0\.0\.1:\d+ does not answer/);
    } finally {
      configPath = saved;
    }
  });
});
