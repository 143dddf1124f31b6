import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { freePort } from '../../test/harness/free-port.js';
import { connectRedisOnce, probeRedis } from './redis-probe.js';

describe('probeRedis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('is true for a Redis that answers PING', async () => {
    expect(await probeRedis(redis.url, 500)).toBe(true);
  });

  it('is false, without throwing, when nothing listens', async () => {
    expect(await probeRedis(`redis://127.0.0.1:${await freePort()}`, 300)).toBe(false);
  });

  it('is false within the timeout when the port accepts but never answers', async () => {
    const silent: Server = createServer(() => undefined);
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    try {
      const started = Date.now();
      expect(await probeRedis(`redis://127.0.0.1:${port}`, 300)).toBe(false);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  });

  it('connectRedisOnce hands back a connected client and rejects for a dead port', async () => {
    const client = await connectRedisOnce(redis.url, 500);
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
    await expect(connectRedisOnce(`redis://127.0.0.1:${await freePort()}`, 300)).rejects.toThrow();
  });
});
