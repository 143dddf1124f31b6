import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
