import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/telemetry/index.js';
import { createMessageStore, type MessageStore } from '../src/voicemail/index.js';
import { readWav, speechWav } from './support/audio.js';
import { startCallee, type Callee } from './support/callee.js';
import { activeJobs, eventually } from './support/livekit.js';
import { scanForPhoneNumbers } from './support/leak-scan.js';
import { allLogLines, E2E_ENV, ROOT, useStack, type StackHandle } from './support/stack.js';

/** The caller who left the message and consented: a fictional number, dialled back here. */
const CALLER = '+3225550177';
/** Where the callback trunk `callee` sends its INVITEs: sipp, on a fixed port. */
const CALLEE_PORT = 5098;

let stack: StackHandle;
let redis: Redis;
let store: MessageStore;
let callee: Callee | undefined;
const wavDir = mkdtempSync(join(tmpdir(), 'sb-callback-wav-'));

beforeAll(async () => {
  stack = await useStack();
  redis = new Redis(stack.config.redis.url);
  store = createMessageStore({
    redis,
    privacy: stack.config.privacy,
    voicemail: stack.config.voicemail,
    logger: createLogger({ level: 'silent' }),
  });
});
afterAll(async () => {
  await callee?.stop();
  redis?.disconnect();
});

const run = promisify(execFile);

/** `switchboard callback <id> --json` against the running stack, as an operator runs it. */
async function cliCallback(id: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(ROOT, 'bin', 'switchboard.js'), 'callback', id, '--json', '--config', stack.configPath],
      { env: { ...process.env, ...E2E_ENV }, timeout: 90_000 },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

const leaveMessage = () =>
  store.save({
    language: 'nl',
    text: 'Ik wil graag teruggebeld worden over mijn afspraak van morgen.',
    reason: 'closed',
    callbackNumber: CALLER,
  });

describe('calling a caller back', () => {
  it('rings the consented number; the callee who says hallo hears the agent, and the number is deleted', async () => {
    const hallo = readWav(
      readFileSync(
        speechWav(join(wavDir, 'hallo.wav'), 'Hallo?', {
          voice: 'nl',
          sampleRate: 8000,
          padSeconds: 0,
          tailSeconds: 0,
        }),
      ),
    );
    callee = await startCallee({ sipPort: CALLEE_PORT, ringMs: 1500, say: hallo, sayAfterMs: 400 });
    const message = await leaveMessage();

    const placed = await cliCallback(message.id);
    expect(placed.code, placed.err).toBe(0);
    expect(JSON.parse(placed.out)).toMatchObject({ messageId: message.id, state: 'answered' });
    expect(placed.out + placed.err).not.toContain('5550177');

    // The agent introduces the callback ("… calling you back about your message from …").
    const deadline = Date.now() + 20_000;
    while (callee.heard().voicedSeconds < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const heard = callee.heard();
    expect(heard.packets).toBeGreaterThan(100);
    expect(heard.payloadTypes.some((pt) => pt === 0 || pt === 8)).toBe(true);
    expect(heard.voicedSeconds).toBeGreaterThanOrEqual(2);

    const after = await store.get(message.id);
    expect(after?.callback).toMatchObject({ state: 'answered', attempts: 1 });
    expect(await store.callbackNumber(message.id)).toBeUndefined();

    // Ending the room hangs up the callee's leg: sipp gets its BYE and completes.
    const rooms = new RoomServiceClient(
      stack.livekitHttpUrl,
      stack.config.livekit.apiKey,
      stack.config.livekit.apiSecret,
    );
    await rooms.deleteRoom(`callback-${message.id}`);
    expect(await callee.done).toBe(0);
    await callee.stop();
    callee = undefined;

    // Neither Switchboard nor LiveKit logged the number it dialled.
    const findings = scanForPhoneNumbers(allLogLines(stack), [CALLER], {
      allow: ['+3225550100', stack.config.carriers.twilio.helpdeskNumber ?? ''],
    });
    expect(findings.filter((f) => f.kind === 'needle')).toEqual([]);
  });

  it('records no_answer when the phone is busy (486), and keeps the number for another try', async () => {
    callee = await startCallee({ sipPort: CALLEE_PORT, mode: 'busy' });
    const message = await leaveMessage();

    const placed = await cliCallback(message.id);
    expect(placed.code).toBe(1);
    expect(JSON.parse(placed.out)).toMatchObject({ state: 'no_answer', sipStatusCode: 486 });
    expect(await callee.done).toBe(0);
    expect((await store.get(message.id))?.callback).toMatchObject({
      state: 'no_answer',
      attempts: 1,
    });
    expect(await store.callbackNumber(message.id)).toBe(CALLER);
    // The agent dispatched for the call that never rang leaves with its deleted room.
    expect(
      await eventually(async () => ((await activeJobs(stack)) === 0 ? true : undefined), 15_000),
      'no agent job left waiting for a callee',
    ).toBe(true);
  });
});
