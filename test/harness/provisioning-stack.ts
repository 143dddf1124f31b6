import { parseConfig, type SwitchboardConfig } from '../../src/config/index.js';
import { startLivekit, type TestLivekit } from './livekit-server.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { createProvisioningClient, type ProvisioningClient } from '../../src/provisioning/index.js';

/** A private Redis and livekit-server for one test file, plus helpers. */
export interface TestStack {
  redis: TestRedis;
  livekit: TestLivekit;
  client: ProvisioningClient;
  /** Deletes every SIP object, ours or not, so each test starts from nothing. */
  wipe(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestStack(): Promise<TestStack> {
  const redis = await startRedis();
  let livekit: TestLivekit;
  try {
    livekit = await startLivekit({ redisUrl: redis.url });
  } catch (err) {
    await redis.stop();
    throw err;
  }
  const client = createProvisioningClient(livekit);
  return {
    redis,
    livekit,
    client,
    async wipe() {
      const { sip } = client;
      for (const rule of await sip.listSipDispatchRule()) {
        await sip.deleteSipDispatchRule(rule.sipDispatchRuleId);
      }
      const trunks = [...(await sip.listSipInboundTrunk()), ...(await sip.listSipOutboundTrunk())];
      for (const trunk of trunks) await sip.deleteSipTrunk(trunk.sipTrunkId);
    },
    async stop() {
      await livekit.stop();
      await redis.stop();
    },
  };
}

/** A config for tests: the given provisioning slice under a test deployment name. */
export function testConfig(provisioning: unknown, deployment = 'sb-test'): SwitchboardConfig {
  return parseConfig({ deployment, provisioning }, 'test', {});
}
