import { Room } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from './apply.js';
import { desiredState } from './desired.js';
import { plan } from './plan.js';
import {
  startTestStack,
  testConfig,
  type TestStack,
} from '../../test/harness/provisioning-stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

const phones = { name: 'phones', auth: { username: 'helpdesk', password: 'first-long-password' } };
const carrier = { name: 'carrier', numbers: ['+3225550100'], allowedAddresses: ['54.172.60.0/30'] };
const rule = (trunk: string) => ({ name: `to-${trunk}`, trunks: [trunk] });

/**
 * Joins a room the way livekit-sip's participant looks to the room service: kind SIP, with the
 * `sip.trunkID` and `sip.callStatus` attributes. No SIP gateway is needed for that.
 */
async function joinAsCaller(trunkId: string): Promise<Room> {
  const token = new AccessToken(stack.livekit.apiKey, stack.livekit.apiSecret, {
    identity: 'sip_caller',
    attributes: { 'sip.trunkID': trunkId, 'sip.callStatus': 'active' },
  });
  token.kind = 'sip';
  token.addGrant({ roomJoin: true, room: 'call-_1234_test' });
  const room = new Room();
  await room.connect(stack.livekit.url.replace(/^http/, 'ws'), await token.toJwt(), {
    autoSubscribe: false,
    dynacast: false,
  });
  return room;
}

describe('deleting a trunk that carries a call', () => {
  it('is blocked without force and done with force', async () => {
    const full = {
      inboundTrunks: [phones, carrier],
      dispatchRules: [rule('phones'), rule('carrier')],
    };
    const first = await plan(desiredState(testConfig(full)), stack.client);
    expect((await apply(first, stack.client)).ok).toBe(true);
    const trunks = await stack.client.sip.listSipInboundTrunk();
    const trunkId = trunks.find((t) => t.name.endsWith(':carrier'))?.sipTrunkId;
    expect(trunkId).toBeDefined();

    const room = await joinAsCaller(trunkId!);
    try {
      const smaller = desiredState(
        testConfig({ inboundTrunks: [phones], dispatchRules: [rule('phones')] }),
      );
      const blocked = await apply(await plan(smaller, stack.client), stack.client, { prune: true });
      expect(blocked.ok).toBe(false);
      expect(blocked.blocked.map((b) => [b.name, b.activeCalls])).toEqual([['carrier', 1]]);
      // The rule went, the trunk with the call stayed.
      const names = (await stack.client.sip.listSipInboundTrunk()).map((t) => t.name).sort();
      expect(names).toEqual(['sb:sb-test:carrier', 'sb:sb-test:phones']);

      const forced = await apply(await plan(smaller, stack.client), stack.client, {
        prune: true,
        force: true,
      });
      expect(forced.ok).toBe(true);
      expect(forced.applied.map((c) => [c.action, c.name])).toEqual([['delete', 'carrier']]);
      expect((await stack.client.sip.listSipInboundTrunk()).map((t) => t.name)).toEqual([
        'sb:sb-test:phones',
      ]);
    } finally {
      await room.disconnect();
    }
  });
});
