import { EventEmitter } from 'node:events';
import { ParticipantKind } from '@livekit/rtc-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { pseudonymizerFromConfig } from '../admission/index.js';
import { parseConfig } from '../config/index.js';
import { createTranscriptStore } from '../privacy/index.js';
import { createLogger } from '../telemetry/index.js';
import type * as engines from './engines/index.js';

type EnginesModule = typeof engines;

// An engine that fails after the call was admitted: the fault this suite is about.
vi.mock('./engines/index.js', async (original) => ({
  ...(await original<EnginesModule>()),
  createCallEngines: () => {
    throw new TypeError('engine exploded');
  },
}));
const { runCall } = await import('./call-flow.js');

describe('a call whose engine throws after admission', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('is recorded as failed, frees its lease at once, and deletes its room', async () => {
    const config = parseConfig({
      redis: { url: redis.url },
      admission: { keyPrefix: 'jobtest' },
      privacy: { keyPrefix: 'jobtest-t' },
    });
    const logger = createLogger({ level: 'silent' });
    const caller = {
      identity: 'sip_caller',
      info: { kind: ParticipantKind.SIP },
      attributes: { 'sip.callID': 'SCL_jobtest', 'sip.trunkID': 'ST_jobtest' },
    };
    const room = Object.assign(new EventEmitter(), {
      name: 'call-jobtest',
      remoteParticipants: new Map([[caller.identity, caller]]),
    });
    const ctx = {
      proc: {
        userData: {
          config,
          logger,
          pseudonymizer: pseudonymizerFromConfig(config.admission),
          rejections: vi.fn(),
          offline: {},
        },
      },
      job: { id: 'AJ_jobtest' },
      room,
      connect: vi.fn(async () => undefined),
      deleteRoom: vi.fn(async () => undefined),
      shutdown: vi.fn(),
    } as unknown as Parameters<typeof runCall>[0];

    await runCall(ctx, () => {
      throw new Error('the process was prepared; nothing loads the config again');
    });

    const client = new Redis(redis.url);
    try {
      const transcript = await createTranscriptStore({
        redis: client,
        config: config.privacy,
        logger,
      }).get('SCL_jobtest');
      expect(transcript?.outcome).toBe('failed');
      expect(transcript?.failure).toBe('TypeError');
      // Admission ran on Redis (the call is in its trunk's rate-limit log), so it took a lease...
      const [rateLimitKey, ...others] = await client.keys('jobtest:rl:*');
      expect(others).toEqual([]);
      expect(await client.zcard(rateLimitKey!)).toBe(1);
      // ...which the call released itself, instead of leaving it to expire with its TTL.
      expect(await client.zcard('jobtest:lease:{calls}')).toBe(0);
    } finally {
      client.disconnect();
    }
    expect(ctx.deleteRoom).toHaveBeenCalledOnce();
    expect(ctx.shutdown).toHaveBeenCalledWith('failed');
  });
});
