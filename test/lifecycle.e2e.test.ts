import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
