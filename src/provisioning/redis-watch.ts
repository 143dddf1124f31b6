import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../telemetry/index.js';

export type RedisReset = 'redis_flush' | 'redis_restart' | 'redis_reconnect';

export interface RedisWatch {
  /** Writes the marker; call at the start of each reconcile. Never throws. */
  arm(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisWatchOptions {
  redisUrl: string;
  /** Marker key; one per deployment. */
  key: string;
  intervalMs: number;
  logger: Logger;
  onReset(reason: RedisReset): void;
}

/**
 * Notices that the Redis holding LiveKit's SIP state lost it, within one poll interval:
 * - a marker key, written at the start of every reconcile, has vanished (FLUSHALL, FLUSHDB, a
 *   restart without persistence, someone deleting keys);
 * - `INFO server` reports a new `run_id` (a restart, even one that kept its data).
 * - the marker could not be written (Redis was away), and Redis answers again: whatever
 *   happened meanwhile is unknown, so reconcile.
 * Polling, not keyspace notifications: those need `CONFIG SET` on a Redis we share, and a
 * subscriber that was disconnected during the flush would never hear about it.
 */
export function watchRedis(opts: RedisWatchOptions): RedisWatch {
  const redis = new Redis(opts.redisUrl, {
    maxRetriesPerRequest: 1,
    // Queue while (re)connecting, but never wait long: a poll must not hang the loop.
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 1000),
  });
  let unreachableSince: number | undefined;
  redis.on('error', (err: Error) => {
    if (unreachableSince !== undefined) return;
    unreachableSince = Date.now();
    opts.logger.warn(
      { err: err.message },
      'provisioning cannot reach redis; watching for its return',
    );
  });
  const token = randomBytes(6).toString('hex');
  let armed = false;
  let armFailed = false;
  let runId: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const reset = (reason: RedisReset) => {
    armed = false; // until the reconcile it triggers writes the marker again
    armFailed = false;
    opts.onReset(reason);
  };

  const poll = async () => {
    // The marker counts only if it was written before this EXISTS was sent (one connection,
    // so commands run in order); a write still in flight must not read as a flush.
    const wasArmed = armed;
    try {
      const replies = await redis.pipeline().exists(opts.key).info('server').exec();
      const exists = replies?.[0]?.[1];
      const info = replies?.[1]?.[1];
      if (typeof info !== 'string') throw new Error('INFO server gave no answer');
      if (unreachableSince !== undefined) {
        opts.logger.info(
          { downMs: Date.now() - unreachableSince },
          'provisioning reaches redis again',
        );
        unreachableSince = undefined;
      }
      const current = /^run_id:(\w+)/m.exec(info)?.[1];
      if (runId !== undefined && current !== undefined && current !== runId) reset('redis_restart');
      else if (wasArmed && armed && exists === 0) reset('redis_flush');
      else if (armFailed) reset('redis_reconnect');
      runId = current ?? runId;
    } catch {
      // The error handler above has logged it; the next successful poll compares run_id.
    }
  };

  const loop = async () => {
    if (stopped) return;
    await poll();
    if (!stopped) timer = setTimeout(() => void loop(), opts.intervalMs);
  };
  void loop();

  return {
    async arm() {
      try {
        await redis.set(opts.key, `${token}:${Date.now()}`);
        armed = true;
        armFailed = false;
      } catch {
        // Redis away: the next poll that gets an answer asks for a reconcile.
        armed = false;
        armFailed = true;
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      redis.disconnect();
    },
  };
}
