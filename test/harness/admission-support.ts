import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from './redis-server.js';
import { createLogger, type Logger } from '../../src/telemetry/index.js';
import { admissionConfigSchema, type AdmissionConfig } from '../../src/admission/index.js';

/** Shared by the admission tests: a config with a key prefix of its own, and log capture. */
export function testConfig(overrides: Record<string, unknown> = {}): AdmissionConfig {
  return admissionConfigSchema.parse({
    keyPrefix: `t${randomBytes(5).toString('hex')}`,
    ...overrides,
  });
}

export function connect(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  // Some tests stop Redis on purpose; the failures they expect surface as rejected commands.
  redis.on('error', () => {});
  return redis;
}

export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'debug', name: 'admission-test' },
    { write: (line: string) => void lines.push(line) },
  );
  return { logger, lines };
}

export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A private Redis for one test file: started before its tests, stopped (with every client) after. */
export function useTestRedis(): { server: () => TestRedis; client: () => Redis } {
  let server: TestRedis | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });
  return {
    server: () => server!,
    client: () => {
      const redis = connect(server!.url);
      clients.push(redis);
      return redis;
    },
  };
}
