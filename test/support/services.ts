import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './stack.js';

/** One `switchboard run <role>` process, as a systemd unit or a compose service starts it. */
export interface Service {
  role: string;
  child: ChildProcess;
  /** Everything it printed so far (scrubbed by the role itself). */
  output: () => string;
}

export async function startService(
  role: string,
  config: string,
  env: Record<string, string>,
  extraArgs: string[] = [],
): Promise<Service> {
  let out = '';
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'switchboard.js'), 'run', role, '--config', config, ...extraArgs],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!/"msg":"running"/.test(out)) {
    if (child.exitCode !== null) throw new Error(`run ${role} exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`run ${role} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { role, child, output: () => out };
}

/** SIGTERM, then the exit code once it has stopped. */
export async function stopService(service: Service): Promise<number | null> {
  if (service.child.exitCode === null && service.child.signalCode === null) {
    const exited = new Promise((r) => service.child.once('exit', r));
    service.child.kill('SIGTERM');
    await exited;
  }
  return service.child.exitCode;
}
