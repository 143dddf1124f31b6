import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/telemetry/index.js';
import {
  createMessageStore,
  SIGNATURE_HEADER,
  verifyWebhook,
  type MessageStore,
  type VoicemailMessage,
} from '../src/voicemail/index.js';
import { agentLines, callAndRecord } from './support/call-record.js';
import { referTo, say, WAV_DIR } from './support/calls.js';
import { startCallee } from './support/callee.js';
import { findAudioFiles, scanForPhoneNumbers } from './support/leak-scan.js';
import { eraseCaller, privacyCli } from './support/privacy-cli.js';
import { E2E_ENV, ROOT, useStack, type StackHandle } from './support/stack.js';

/** The voicemail suite's caller (trunk caller-c): a fictional number. */
const CALLER = '+3225550144';
const CALLER_FORMS = [CALLER, '3225550144', '025550144', '02 555 01 44'];
const WEBHOOK_PORT = 18091;

/** `switchboard <args>` against the stack's config; throws on a non-zero exit. */
function cli(stack: StackHandle, args: string[]): string {
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'switchboard.js'), ...args, '--config', stack.configPath],
    { env: { ...process.env, ...E2E_ENV }, encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status !== 0)
    throw new Error(`switchboard ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

/**
 * The helpdesk's webhook receiver, as a customer would write it with `verifyWebhook`: 204 for a
 * valid, fresh, first-seen request; 401 for a bad signature; 409 for a replay.
 */
function startReceiver(secret: string): Promise<{ server: Server; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const verdict = verifyWebhook({
        secret,
        header: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined,
        body,
        nowS: Date.now() / 1000,
        seen,
      });
      const status = verdict.ok ? 204 : verdict.reason === 'replay' ? 409 : 401;
      deliveries.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(WEBHOOK_PORT, '127.0.0.1', () => resolve({ server, deliveries })),
  );
}

/** Every voicemail hash field that could hold a callback number, read straight from Redis. */
async function storedCallbackFields(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const key of await redis.keys(`${prefix}:vm:*`)) {
    if ((await redis.type(key)) !== 'hash') continue;
    const number = await redis.hget(key, 'cbNumber');
    if (number) found.push(key);
  }
  return found;
}

/** Every string value under the voicemail keys: where a raw number must never appear. */
async function voicemailValues(redis: Redis, prefix: string): Promise<string[]> {
  const values: string[] = [];
  for (const key of await redis.keys(`${prefix}:vm:*`)) {
    values.push(key);
    const type = await redis.type(key);
    if (type === 'hash') values.push(...Object.values(await redis.hgetall(key)));
    if (type === 'zset') values.push(...(await redis.zrange(key, 0, -1)));
  }
  return values;
}

/**
 * Voicemail on the real stack (offline engines over G.722, the sipp helpdesk and callee): the
 * closed helpdesk, a failed transfer, consent, the callback, the signed webhook and erasure.
 * Messages are kept for the e2e retention (60 s), so each test reads what it needs at once.
 */
describe('voicemail without audio', () => {
  let stack: StackHandle;
  let redis: Redis;
  let store: MessageStore;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const since = Date.now();
  let consented: VoicemailMessage | undefined;

  beforeAll(async () => {
    stack = await useStack();
    redis = new Redis(stack.config.redis.url);
    store = createMessageStore({
      redis,
      privacy: stack.config.privacy,
      voicemail: stack.config.voicemail,
      logger: createLogger({ level: 'silent' }),
    });
    receiver = await startReceiver(stack.config.voicemail.webhook!.secret);
    eraseCaller(stack, CALLER);
  });
  afterAll(async () => {
    if (stack) cli(stack, ['helpdesk', 'resume']);
    redis?.disconnect();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('helpdesk closed: the hand-off phrase gets the hours and a message, no REFER; with consent the number is stored encrypted; the webhook is signed', async () => {
    cli(stack, ['helpdesk', 'close']);
    let result;
    try {
      result = await callAndRecord(stack, () =>
        say(['I want to speak to a person', 'what are the visiting hours', 'yes'], {
          as: 'callerC',
          gapSeconds: 10,
        }),
      );
    } finally {
      cli(stack, ['helpdesk', 'resume']);
    }
    const { call, transcript } = result;
    const { prompts } = stack.config.voicemail;
    expect(referTo(call.sipTrace)).toEqual([]);
    const said = agentLines(transcript).join('\n');
    expect(said).toContain('closed');
    expect(said).toContain(prompts.offer.en);
    expect(said).toContain(prompts.consent.en);
    expect(said).toContain(prompts.savedWithCallback.en);
    expect(transcript.outcome).toBe('voicemail');

    const message = (await store.recent(20)).find((m) => m.callId === transcript.callId);
    expect(message, 'the message is stored under the call').toBeDefined();
    expect(message!).toMatchObject({
      reason: 'closed',
      language: 'en',
      pseudonym: transcript.pseudonym,
      callback: { state: 'requested' },
    });
    expect(message!.text).toContain('visiting hours');
    consented = message;
    // Stored encrypted: the store decrypts it, Redis holds no form of it.
    expect(await store.callbackNumber(message!.id)).toBe(CALLER);
    expect(
      scanForPhoneNumbers(
        await voicemailValues(redis, stack.config.privacy.keyPrefix),
        CALLER_FORMS,
      ),
    ).toEqual([]);

    // The export by number carries the message (never the number itself).
    const exported = JSON.parse(privacyCli(stack, 'export', CALLER)) as {
      messages: Array<{ id: string; text: string }>;
    };
    expect(exported.messages.map((m) => m.id)).toContain(message!.id);

    // The control plane pushed it, signed; the receiver accepted it once and refuses a replay.
    await expect
      .poll(() => receiver.deliveries.find((d) => d.body.includes(message!.id)), {
        timeout: 15_000,
      })
      .toBeDefined();
    const delivered = receiver.deliveries.find((d) => d.body.includes(message!.id))!;
    expect(delivered.status).toBe(204);
    expect(delivered.body).not.toContain('3225550144');
    const replay = await fetch(`http://127.0.0.1:${WEBHOOK_PORT}/switchboard/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: delivered.headers[SIGNATURE_HEADER.toLowerCase()] as string,
      },
      body: delivered.body,
    });
    expect(replay.status).toBe(409);
  });

  it('calls the consenting caller back through the outbound trunk; the callee hears the agent and the number is gone', async () => {
    expect(consented, 'the previous test left a consented message').toBeDefined();
    const callee = await startCallee({ sipPort: 5098 });
    try {
      const out = cli(stack, ['callback', consented!.id, '--json']);
      expect(out).not.toContain('3225550144');
      await expect
        .poll(() => callee.heard().voicedSeconds, { timeout: 20_000, interval: 250 })
        .toBeGreaterThan(1.5);
      await expect
        .poll(async () => (await store.get(consented!.id))?.callback.state, { timeout: 10_000 })
        .toBe('answered');
      expect(await store.callbackNumber(consented!.id)).toBeUndefined();
      expect(await storedCallbackFields(redis, stack.config.privacy.keyPrefix)).toEqual([]);
    } finally {
      await callee.stop();
    }
  });

  it('a busy helpdesk: the transfer fails, the caller leaves a message and says no; no number is stored at any time', async () => {
    eraseCaller(stack, CALLER);
    // The helpdesk's phone answers the caller's transferred leg with 486 Busy Here.
    const helpdesk = await startCallee({ sipPort: 5099, mode: 'busy' });
    const numbersSeen: string[][] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        numbersSeen.push(await storedCallbackFields(redis, stack.config.privacy.keyPrefix));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      const { call, transcript } = await callAndRecord(stack, () =>
        say(['I want to speak to a person', 'parking', 'no'], {
          as: 'callerC',
          gapSeconds: 16,
        }),
      );
      expect(referTo(call.sipTrace)).toEqual([stack.config.agent.handoff.target]);
      const { prompts } = stack.config.voicemail;
      const said = agentLines(transcript).join('\n');
      expect(said).toContain(prompts.unavailable.en);
      expect(said).toContain(prompts.saved.en);
      const message = (await store.recent(20)).find((m) => m.callId === transcript.callId);
      expect(message).toMatchObject({ reason: 'transfer_failed', callback: { state: 'none' } });
      expect(message!.text).toContain('parking');
    } finally {
      watching = false;
      await watch;
      await helpdesk.stop();
    }
    expect(numbersSeen.length).toBeGreaterThan(10);
    expect(numbersSeen.flat()).toEqual([]);
  });

  it("erasure by number removes the caller's messages; no audio file was written", async () => {
    const before = (await store.recent(50)).filter((m) => m.pseudonym !== null);
    const mine = before.filter((m) => m.text.includes('parking'));
    expect(mine.length).toBeGreaterThan(0);
    const receipt = JSON.parse(privacyCli(stack, 'erase', CALLER)) as {
      deleted: { messages: number };
    };
    expect(receipt.deleted.messages).toBeGreaterThanOrEqual(mine.length);
    for (const m of mine) expect(await store.get(m.id)).toBeUndefined();

    const audio = findAudioFiles([ROOT, tmpdir(), homedir()], since, { exclude: [WAV_DIR] });
    expect(audio).toEqual([]);
  });
});
