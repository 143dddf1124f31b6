/** Runs the echo probe's worker (`bench/echo-probe/worker.ts`) beside the stack. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../test/support/stack.js';

export interface EchoProbe {
  output(): string;
  stop(): Promise<void>;
}

export async function startEchoProbe(livekit: {
  url: string;
  apiKey: string;
  apiSecret: string;
}): Promise<EchoProbe> {
  let out = '';
  // The bench's own loader flags (tsx), so the worker and its job processes run TypeScript too.
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      join(ROOT, 'bench', 'echo-probe', 'worker.ts'),
      '--url',
      livekit.url,
      '--api-key',
      livekit.apiKey,
      '--api-secret',
      livekit.apiSecret,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  process.once('exit', () => child.kill('SIGTERM'));
  const deadline = Date.now() + 60_000;
  while (!out.includes('registered worker')) {
    if (child.exitCode !== null) throw new Error(`echo probe worker exited:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`echo probe worker did not register:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
