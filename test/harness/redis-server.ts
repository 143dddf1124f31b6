import { spawn, type ChildProcess } from 'node:child_process';
import { connectRedisOnce } from '../../src/stack/index.js';
import { freePort } from './free-port.js';

export interface TestRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a private, memory-only redis-server on a free port (never 6379, which the stack uses), or
 * on `port` again after a test stopped it there. A free port can be taken between the check and
 * the bind (test files start servers in parallel): the server that answers must be this one (its
 * process id), and a chosen port lost that way is replaced by another.
 */
export async function startRedis(port?: number): Promise<TestRedis> {
  // Only a port of our own choosing can be swapped for another.
  const tries = port === undefined ? 3 : 1;
  for (let i = 0; i < tries; i++) {
    const started = await tryStart(port ?? (await freePort()));
    if (started) return started;
  }
  throw new Error(
    `redis-server did not start ${port === undefined ? 'on 3 free ports' : `on port ${port}`}`,
  );
}

async function tryStart(port: number): Promise<TestRedis | undefined> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  while ((await answeringPid(url)) !== child.pid) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** The process id of the redis-server answering at `url`, if one does within 500 ms. */
async function answeringPid(url: string): Promise<number | undefined> {
  try {
    const client = await connectRedisOnce(url, 500, { commandTimeoutMs: 500 });
    try {
      return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    } finally {
      client.disconnect();
    }
  } catch {
    return undefined;
  }
}
