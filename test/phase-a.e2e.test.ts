import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWithBaresip } from './support/baresip.js';
import { sipTranscript } from './support/calls.js';
import { firstVoicedMs, silenceWav, voicedSeconds } from './support/audio.js';
import { activeJobs, eventually, roomService } from './support/livekit.js';
import { E2E_ENV, ROOT, useStack, type StackHandle } from './support/stack.js';

const DEV = { username: 'softphone', password: 'switchboard-dev' };

describe('phase A: a softphone call is answered by the agent', () => {
  let stack: StackHandle;
  let dir: string;
  beforeAll(async () => {
    stack = await useStack();
    dir = mkdtempSync(join(tmpdir(), 'sb-phase-a-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('greets a caller who dials with the dev credentials, then cleans up after the hang-up', async () => {
    const rooms = roomService(stack);
    const call = callWithBaresip({
      ...DEV,
      target: 'sip:anything@127.0.0.1',
      playWav: silenceWav(join(dir, 'quiet.wav'), 9),
    });

    const active = await eventually(async () => {
      for (const room of await rooms.listRooms()) {
        if (!room.name.startsWith('call-')) continue;
        const sip = (await rooms.listParticipants(room.name)).find(
          (p) => p.attributes['sip.callStatus'] === 'active',
        );
        if (sip) return { room: room.name, sip };
      }
      return undefined;
    }, 15_000);
    expect(active, 'a call- room with an active SIP participant').toBeDefined();

    const result = await call;
    expect(result.established).toBe(true);
    expect(result.heard, 'baresip recorded what it heard').toBeDefined();
    expect(voicedSeconds(result.heard!)).toBeGreaterThanOrEqual(1);

    const greetingAt = firstVoicedMs(result.heard!)!;
    const { invite, answered, rxStarted } = result.timing;
    console.log(
      `[phase-a] INVITE→200 OK ${answered! - invite!} ms; 200 OK→first greeting audio ${rxStarted! + greetingAt - answered!} ms; heard ${voicedSeconds(result.heard!).toFixed(1)} s of speech`,
    );

    const gone = await eventually(async () => {
      const names = (await rooms.listRooms()).map((r) => r.name);
      return names.includes(active!.room) ? undefined : true;
    }, 10_000);
    expect(gone, `room ${active!.room} deleted within 10 s of the hang-up`).toBe(true);
    expect(
      await eventually(async () => ((await activeJobs(stack)) === 0 ? true : undefined), 10_000),
    ).toBe(true);
  });

  it('rejects a wrong password and creates no room', async () => {
    const rooms = roomService(stack);
    const before = new Set((await rooms.listRooms()).map((r) => r.name));
    const result = await callWithBaresip({
      username: DEV.username,
      password: 'not-the-password',
      target: 'sip:anything@127.0.0.1',
      playWav: silenceWav(join(dir, 'short.wav'), 3),
      maxSeconds: 8,
    });
    expect(result.established).toBe(false);
    // Every call is challenged first; only a failed login is refused again *after* the softphone
    // answered the challenge with its credentials.
    const messages = sipTranscript(result.sipTrace);
    const withCredentials = messages.filter(
      (m) => m.startLine.startsWith('INVITE ') && /^(Proxy-)?Authorization:/im.test(m.text),
    );
    expect(withCredentials, 'baresip answered the challenge with credentials').not.toEqual([]);
    const answers = messages
      .filter(
        (m) =>
          m.status !== undefined &&
          m.status >= 200 &&
          m.cseqMethod === 'INVITE' &&
          withCredentials.some((i) => i.cseq === m.cseq),
      )
      .map((m) => m.status);
    expect(answers.length, 'a final answer to the INVITE with credentials').toBeGreaterThan(0);
    expect(answers.every((s) => s === 401 || s === 403 || s === 407)).toBe(true);
    const after = (await rooms.listRooms()).map((r) => r.name).filter((n) => !before.has(n));
    expect(after).toEqual([]);
  });

  it('a second `up` finds the ports taken, says so and exits 1', () => {
    const second = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'switchboard.js'),
        'up',
        '--config',
        stack.configPath,
        '--run-dir',
        join(dir, 'second'),
      ],
      {
        env: { ...process.env, ...E2E_ENV },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/ports already in use: .*7880\/tcp \(livekit\.port\)/);
    expect(second.stderr).toMatch(/another `switchboard up`/);
  });

  it('doctor passes on the running stack and names the fix for a missing binary', () => {
    const doctor = (env: Record<string, string>) =>
      spawnSync(
        process.execPath,
        [join(ROOT, 'bin', 'switchboard.js'), 'doctor', '--config', stack.configPath],
        {
          env: { ...process.env, ...E2E_ENV, ...env },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
    const healthy = doctor({});
    // Each binary is asked for its own version (livekit-sip needs install's version stamp).
    expect(healthy.stdout).toMatch(/^ok\s+livekit-server\s+v\d+\.\d+\.\d+ at /m);
    expect(healthy.stdout).toMatch(/^ok\s+livekit-sip\s+v\d+\.\d+\.\d+ at /m);
    expect(healthy.stdout).toMatch(/^ok\s+ports\s+in use by the running stack: /m);
    expect(healthy.stdout).toMatch(/^ok\s+one redis for livekit and livekit-sip\s+both connected/m);
    expect(healthy.status, healthy.stdout).toBe(0);

    const broken = doctor({ SWITCHBOARD_BIN_CACHE: join(dir, 'empty-cache') });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/FAIL\s+livekit-sip\s+not installed \(pinned v/);
    expect(broken.stdout).toMatch(/fix: bash scripts\/install\.sh/);
  });
});
