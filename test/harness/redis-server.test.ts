import { describe, expect, it } from 'vitest';
import { startRedis } from './redis-server.js';

describe('a private redis-server for tests', () => {
  it('is the server it started, never another one already on the port', async () => {
    const first = await startRedis();
    try {
      // Test files start servers in parallel: a port can be taken between the check and the bind.
      await expect(startRedis(first.port)).rejects.toThrow(`on port ${first.port}`);
      const second = await startRedis();
      expect(second.port).not.toBe(first.port);
      expect(second.process.pid).not.toBe(first.process.pid);
      await second.stop();
    } finally {
      await first.stop();
    }
  });
});
