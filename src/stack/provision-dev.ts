import { RoomAgentDispatch, RoomConfiguration, SipClient } from 'livekit-server-sdk';
import type { SwitchboardConfig } from '../config/index.js';
import type { Logger } from '../telemetry/index.js';

/** Phase A provisioning: make sure the configured trunks and rules exist, by name. */
export async function provisionDev(config: SwitchboardConfig, logger: Logger): Promise<void> {
  const client = new SipClient(
    `http://127.0.0.1:${config.livekit.port}`,
    config.livekit.apiKey,
    config.livekit.apiSecret,
  );
  const trunks = await client.listSipInboundTrunk();
  const trunkIds = new Map<string, string>();
  for (const trunk of config.provisioning.inboundTrunks) {
    const existing = trunks.find((t) => t.name === trunk.name);
    const id =
      existing?.sipTrunkId ??
      (
        await client.createSipInboundTrunk(trunk.name, trunk.numbers, {
          allowedAddresses: trunk.allowedAddresses,
          authUsername: trunk.auth?.username,
          authPassword: trunk.auth?.password,
        })
      ).sipTrunkId;
    trunkIds.set(trunk.name, id);
  }
  const rules = await client.listSipDispatchRule();
  for (const rule of config.provisioning.dispatchRules) {
    if (rules.some((r) => r.name === rule.name)) continue;
    await client.createSipDispatchRule(
      { type: 'individual', roomPrefix: rule.roomPrefix },
      {
        name: rule.name,
        trunkIds: rule.trunks.map((name) => trunkIds.get(name)!),
        roomConfig: new RoomConfiguration({
          agents: [new RoomAgentDispatch({ agentName: config.agent.name })],
        }),
      },
    );
  }
  logger.info({ component: 'provisioning', trunks: trunkIds.size }, 'trunks and rules in place');
}
