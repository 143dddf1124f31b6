import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { apply, desiredState, plan } from '../provisioning/index.js';
import { createLogger } from '../telemetry/index.js';
import { createMessageStore, type MessageStore } from '../voicemail/index.js';
import { startTestStack, type TestStack } from '../../test/harness/provisioning-stack.js';
import { runCli } from '../../test/harness/run-cli.js';

const CALLER = '+32470123456';

let stack: TestStack;
let redis: Redis;
let store: MessageStore;
let dir: string;
let configPath: string;

beforeAll(async () => {
  stack = await startTestStack();
  redis = new Redis(stack.redis.url);
  dir = mkdtempSync(join(tmpdir(), 'callback-cli-'));
  configPath = join(dir, 'switchboard.yaml');
  // JSON is YAML: the CLI reads the same settings the store below is built with.
  writeFileSync(configPath, JSON.stringify(yamlObject()));
  const config = parseConfig(yamlObject(), 'test', {});
  store = createMessageStore({
    redis,
    privacy: config.privacy,
    voicemail: config.voicemail,
    logger: createLogger({ level: 'silent' }),
  });
});
afterAll(async () => {
  redis?.disconnect();
  rmSync(dir, { recursive: true, force: true });
  await stack?.stop();
});

function yamlObject() {
  return {
    deployment: 'cb-test',
    redis: { url: stack.redis.url },
    livekit: {
      port: stack.livekit.port,
      apiKey: stack.livekit.apiKey,
      apiSecret: stack.livekit.apiSecret,
    },
    provisioning: {
      outboundTrunks: [{ name: 'callback', address: '127.0.0.1:5999', numbers: ['+3225550100'] }],
    },
    voicemail: {
      callbackKeys: [{ id: 'k1', key: '5a'.repeat(32) }],
      callback: { trunk: 'callback', ringSeconds: 5 },
    },
  };
}

/** Runs the CLI in-process and captures what it prints. */
const cli = (...argv: string[]) => runCli(argv, configPath);

const save = (callbackNumber?: string) =>
  store.save({
    language: 'nl',
    text: 'Kunt u mij terugbellen over de afspraak van morgen?',
    reason: 'closed',
    ...(callbackNumber ? { callbackNumber } : {}),
  });

describe('switchboard callback', () => {
  it('refuses a message without consent, and a malformed id, dialling nothing', async () => {
    const message = await save();
    const refused = await cli('callback', message.id);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('did not consent');
    expect((await store.get(message.id))?.callback.state).toBe('none');

    const malformed = await cli('callback', 'not-an-id');
    expect(malformed.code).toBe(1);
    expect(malformed.err).toContain('is not a message id');
  });

  it('says to provision when the outbound trunk is not in LiveKit', async () => {
    await stack.wipe();
    const message = await save(CALLER);
    const missing = await cli('callback', message.id);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/"sb:cb-test:callback" is not in LiveKit.*provision apply/);
    expect((await store.get(message.id))?.callback.state).toBe('requested');
  });

  it('prints failed when the call cannot be placed, and keeps the number for another try', async () => {
    // No livekit-sip runs in this stack: LiveKit cannot place the call.
    await stack.wipe();
    const target = parseConfig(yamlObject(), 'test', {});
    await apply(await plan(desiredState(target), stack.client), stack.client);
    const message = await save(CALLER);

    const failed = await cli('callback', message.id, '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.out)).toMatchObject({
      messageId: message.id,
      state: 'failed',
      room: `callback-${message.id}`,
    });
    const after = await store.get(message.id);
    expect(after?.callback).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await store.callbackNumber(message.id)).toBe(CALLER);
    const rooms = await stack.client.rooms.listRooms([`callback-${message.id}`]);
    expect(rooms).toEqual([]);
    expect(failed.out + failed.err).not.toContain('470123456');
  }, 60_000);
});
