import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWithBaresip } from './support/baresip.js';
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
    expect(result.sipTrace).toMatch(/SIP\/2\.0 (401|403|407)/);
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
    expect(healthy.status, healthy.stdout).toBe(0);
    expect(healthy.stdout).toMatch(/ok\s+one redis for livekit and livekit-sip\s+both connected/);

    const broken = doctor({ SWITCHBOARD_BIN_CACHE: join(dir, 'empty-cache') });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/FAIL\s+livekit-sip\s+not installed \(pinned v/);
    expect(broken.stdout).toMatch(/fix: bash scripts\/install\.sh/);
  });
});
