import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstVoicedMs, silenceWav } from './support/audio.js';
import { callWithBaresip, heardSince } from './support/baresip.js';
import { WAV_DIR } from './support/calls.js';
import { eventually } from './support/livekit.js';
import { alive, descendants } from './support/processes.js';
import { ROOT, startUp, stopStack } from './support/stack.js';

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

describe('switchboard up lifecycle', () => {
  it('starts every component and stops them all on SIGTERM, leaving no orphan', async () => {
    const stack = await startUp(join(ROOT, 'test', 'e2e', 'lifecycle.e2e.yaml'));
    const tree = descendants(stack.process.pid!);
    const commands = tree.map(cmdline);
    for (const name of ['redis-server', 'livekit-server', 'livekit-sip', 'worker.js']) {
      expect(
        commands.some((c: string) => c.includes(name)),
        `${name} runs under up`,
      ).toBe(true);
    }
    const ready = await fetch(`${stack.controlPlaneUrl}/readyz`);
    expect(ready.status).toBe(200);

    const code = await stopStack(stack);
    expect(code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    const left = tree.filter(alive).map((pid) => `${pid}: ${cmdline(pid)}`);
    expect(left).toEqual([]);
  });

  it('kills everything at once on a second SIGTERM during shutdown, leaving no orphan', async () => {
    const stack = await startUp(join(ROOT, 'test', 'e2e', 'lifecycle.e2e.yaml'));
    const tree = descendants(stack.process.pid!);
    const exited = new Promise<number | null>((r) => stack.process.once('exit', (code) => r(code)));
    stack.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    stack.process.kill('SIGTERM');
    expect(await exited).toBe(130);
    await new Promise((r) => setTimeout(r, 500));
    expect(tree.filter(alive).map((pid) => `${pid}: ${cmdline(pid)}`)).toEqual([]);
  });

  it('leaves no component running after a kill -9 of up, so the next up starts', async () => {
    const config = join(ROOT, 'test', 'e2e', 'lifecycle.e2e.yaml');
    const stack = await startUp(config);
    const tree = descendants(stack.process.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(4);
    const exited = new Promise((r) => stack.process.once('exit', r));
    stack.process.kill('SIGKILL');
    await exited;
    // The kernel kills up's children at once; the worker's job processes leave as soon as their
    // worker is gone, and agents-js's inference process exits on its own 15 s orphan timeout.
    const deadline = Date.now() + 25_000;
    while (tree.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(tree.filter(alive).map((pid) => `${pid}: ${cmdline(pid)}`)).toEqual([]);
    const next = await startUp(config);
    expect(await stopStack(next)).toBe(0);
  });

  it('restarts a crashed livekit-server, livekit-sip and agent worker instead of stopping the stack', async () => {
    const stack = await startUp(join(ROOT, 'test', 'e2e', 'lifecycle.e2e.yaml'));
    try {
      for (const name of ['livekit-server', 'livekit-sip', 'worker.js']) {
        const before = descendants(stack.process.pid!).find((pid) => cmdline(pid).includes(name));
        expect(before, `${name} runs under up`).toBeDefined();
        process.kill(before!, 'SIGKILL');
        const after = await eventually(
          async () => {
            const pid = descendants(stack.process.pid!).find(
              (p) => p !== before && cmdline(p).includes(name),
            );
            const ready = await fetch(`${stack.controlPlaneUrl}/readyz`);
            return pid && ready.status === 200 ? pid : undefined;
          },
          60_000,
          250,
        );
        expect(after, `${name} restarted and the stack ready again`).toBeDefined();
      }
      expect(stack.process.exitCode).toBeNull();
      for (const name of ['livekit-server', 'livekit-sip', 'agent-worker']) {
        const logged = new RegExp(
          `"component":"${name}".*"msg":"crashed; restarting"[\\s\\S]*"component":"${name}".*"msg":"restarted"`,
        );
        expect(
          await eventually(async () => (logged.test(stack.output()) ? true : undefined), 10_000),
        ).toBe(true);
      }
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });

  it('a call whose lone worker is killed is picked up by the restarted worker', async () => {
    const stack = await startUp(join(ROOT, 'test', 'e2e', 'lifecycle.e2e.yaml'));
    try {
      const result = callWithBaresip({
        username: 'softphone',
        password: 'switchboard-dev',
        target: `sip:anything@127.0.0.1:${stack.config.sip.port}`,
        playWav: silenceWav(join(WAV_DIR, 'lifecycle-lone-worker.wav'), 40, 16000),
        codecs: ['G722'],
        hangupAfterMs: 25_000,
        maxSeconds: 45,
      });
      // Kill the worker once its greeting is over; up restarts it, and the control plane keeps
      // making the dispatch until the restarted worker takes it.
      const workerLog = join(stack.logDir, 'agent-worker.log');
      await eventually(
        async () => (/call set-up/.test(readFileSync(workerLog, 'utf8')) ? true : undefined),
        20_000,
      );
      await new Promise((r) => setTimeout(r, 7_000));
      const worker = descendants(stack.process.pid!).find((p) =>
        cmdline(p).includes('agent-worker.js'),
      );
      const killedAt = Date.now();
      process.kill(worker!, 'SIGKILL');
      const call = await result;
      expect(call.established).toBe(true);
      const after = heardSince(call, killedAt);
      expect(firstVoicedMs(after), 'the greeting was over at the kill').not.toBe(0);
      const gap = firstVoicedMs(after);
      console.log(`lone worker kill -9 → the restarted worker's first words: ${gap} ms`);
      // Bounded by the worker's restart (backoff 1 s, then its start) and a warm job process.
      expect(gap, 'the caller heard the restarted worker').toBeDefined();
      expect(gap!).toBeLessThan(15_000);
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });
});
