import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/stack.js';

/**
 * Issue 12, target 4: Redis stopped for 60 s under two calls, on a stack of its own. The scenario
 * and its checks live in bench/redis-outage/run.ts (it prints the figures and exits 1 when any
 * target is missed: a call in progress dropped, an admission decision against its policy or not
 * counted, a transcript write that blocks the call or is lost, an outcome missing from the export,
 * a caller number in any output). The suite runs it with `--behaviour-only`: the 250 ms decision
 * time is the bench's figure, printed here but not judged on a loaded CI machine.
 */
describe('a 60 s Redis outage during calls', () => {
  it('drops no call in progress, decides admission per policy, and loses no record', async () => {
    const bench = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench', 'redis-outage', 'run.ts'), '--behaviour-only'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    bench.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    bench.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => bench.once('exit', (c) => r(c)));
    console.log(out.slice(out.indexOf('Redis stopped for 60 s')));
    expect(code, out).toBe(0);
  }, 300_000);
});
