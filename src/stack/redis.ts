import type { Logger } from '../telemetry/index.js';
import { spawnManaged, type ManagedProcess } from './managed-process.js';
import { probeRedis } from './redis-probe.js';
import { waitFor } from './wait.js';

/**
 * Reuses a Redis that already answers at `url`; otherwise starts a memory-only one when the URL
 * points at this machine. Returns the process it started, if any.
 */
export async function ensureRedis(
  url: string,
  logDir: string,
  logger: Logger,
  /** The redis-server's environment, when one is started (see childProcessEnv). */
  env: Record<string, string>,
): Promise<ManagedProcess | undefined> {
  if (await probeRedis(url, 500)) {
    logger.info({ component: 'redis' }, 'reusing running redis');
    return undefined;
  }
  const u = new URL(url);
  if (!['127.0.0.1', 'localhost', '::1'].includes(u.hostname)) {
    throw new Error(
      `redis at ${u.host} does not answer; start it or point redis.url at a running instance`,
    );
  }
  const proc = spawnManaged({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', u.port || '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    env,
    logDir,
    logger,
  });
  await waitFor('redis', () => probeRedis(url, 500), 10_000);
  return proc;
}
