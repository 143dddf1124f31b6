import { Redis } from 'ioredis';

/**
 * Connects once, without retries or reconnects, within `timeoutMs`; rejects when Redis does not
 * answer. Once connected, a lost connection fails commands instead of reconnecting. The caller
 * disconnects it. `commandTimeoutMs` bounds each command (default: none).
 */
export async function connectRedisOnce(
  url: string,
  timeoutMs: number,
  opts: { commandTimeoutMs?: number } = {},
): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: opts.commandTimeoutMs,
  });
  // Failures surface through the rejected connect or command; this only silences the event.
  client.on('error', () => undefined);
  // connectTimeout covers only the TCP handshake; a port that accepts and stays silent would
  // hold the ready check much longer, so the whole connect gets one deadline.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from redis within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(), deadline]);
    return client;
  } catch (err) {
    client.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The deployment's Redis for a CLI command, connected once within 3 s. When it does not answer,
 * the error names its host and the fix, never the URL (it may carry a password).
 */
export async function connectCommandRedis(
  url: string,
  opts: { commandTimeoutMs?: number } = {},
): Promise<Redis> {
  try {
    return await connectRedisOnce(url, 3000, opts);
  } catch (cause) {
    throw new Error(
      `redis at ${new URL(url).host} does not answer; start the stack or check redis.url`,
      { cause },
    );
  }
}

/** True when a Redis at `url` answers PING within `timeoutMs`. Never throws. */
export async function probeRedis(url: string, timeoutMs = 500): Promise<boolean> {
  let client: Redis | undefined;
  try {
    client = await connectRedisOnce(url, timeoutMs, { commandTimeoutMs: timeoutMs });
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client?.disconnect();
  }
}
