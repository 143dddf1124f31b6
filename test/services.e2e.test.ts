import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from './harness/redis-server.js';
import { silenceWav, voicedSeconds } from './support/audio.js';
import { callWithBaresip } from './support/baresip.js';
import { WAV_DIR } from './support/calls.js';
import { scanForPhoneNumbers } from './support/leak-scan.js';
import { startService, stopService, type Service } from './support/services.js';
import { E2E_ENV, ROOT } from './support/stack.js';

const CONFIG = join(ROOT, 'test', 'e2e', 'services.e2e.yaml');
const CALLER = '+3225550144';

describe('the stack as services (switchboard run <role>)', () => {
  let redis: TestRedis;
  const services: Service[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      ...(process.env as Record<string, string>),
      ...E2E_ENV,
      SWITCHBOARD_E2E_SERVICES_REDIS: redis.url,
    };
    for (const role of ['livekit-server', 'sip', 'control-plane', 'agent'])
      services.push(await startService(role, CONFIG, env));
  });

  afterAll(async () => {
    for (const service of [...services].reverse()) await stopService(service);
    await redis?.stop();
  });

  it('answers a call end to end, with no caller number in any service output', async () => {
    const call = await callWithBaresip({
      username: CALLER,
      password: 'e2e-services-caller-password',
      target: 'sip:+3225550101@127.0.0.1:25060',
      playWav: silenceWav(join(WAV_DIR, 'services.wav'), 8, 16000),
      codecs: ['G722'],
      maxSeconds: 20,
    });
    expect(call.established).toBe(true);
    expect(voicedSeconds(call.heard!)).toBeGreaterThan(1);

    const sip = services.find((s) => s.role === 'sip')!.output();
    // livekit-sip at info logs the caller: it reached the output as a pseudonym only.
    expect(sip).toMatch(/e2e_[0-9a-f]{32}/);
    const lines = services.flatMap((s) => s.output().split('\n'));
    expect(scanForPhoneNumbers(lines, [CALLER, '025550144'], { allow: ['+3225550101'] })).toEqual(
      [],
    );
  });

  it('each service stops cleanly on SIGTERM', async () => {
    for (const service of [...services].reverse()) {
      expect(await stopService(service), `run ${service.role}`).toBe(0);
    }
  });
});
