import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apply } from './apply.js';
import { desiredState } from './desired.js';
import { findOutboundTrunk } from './live.js';
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
beforeEach(async () => stack.wipe());

const carrier = {
  name: 'carrier',
  numbers: ['+3225550100'],
  allowedAddresses: ['54.172.60.0/30', '54.244.51.0/30'],
  mediaEncryption: 'allow',
  headersToAttributes: { 'X-Ticket': 'ticket' },
  ringingTimeoutSeconds: 30,
  maxCallDurationSeconds: 600,
};
const phones = { name: 'phones', auth: { username: 'helpdesk', password: 'first-long-password' } };
const callback = {
  name: 'callback',
  address: 'example.pstn.twilio.com:5061',
  transport: 'tls',
  numbers: ['+3225550100'],
  auth: { username: 'helpdesk', password: 'outbound-long-password' },
  headers: { 'X-Account': 'helpdesk' },
};
const slice = {
  inboundTrunks: [carrier, phones],
  outboundTrunks: [callback],
  dispatchRules: [
    { name: 'main', trunks: ['carrier'], attributes: { line: 'helpdesk' } },
    {
      name: 'conference',
      type: 'direct',
      roomName: 'helpdesk-room',
      pin: '1234',
      trunks: ['phones'],
    },
    {
      name: 'by-callee',
      type: 'callee',
      roomPrefix: 'line',
      trunks: ['phones'],
      hidePhoneNumber: true,
    },
  ],
};

async function converge(provisioning: unknown, opts = {}) {
  const desired = desiredState(testConfig(provisioning));
  const found = await plan(desired, stack.client);
  return { found, result: await apply(found, stack.client, opts), desired };
}

const sip = () => stack.client.sip;

describe('apply against a real livekit-server', () => {
  it('creates every kind, and a second apply changes nothing', async () => {
    const first = await converge(slice);
    expect(first.found.counts.create).toBe(6);
    expect(first.result).toMatchObject({ ok: true, failed: [] });
    expect(first.result.applied).toHaveLength(6);

    const [inbound, outbound, rules] = await Promise.all([
      sip().listSipInboundTrunk(),
      sip().listSipOutboundTrunk(),
      sip().listSipDispatchRule(),
    ]);
    const trunk = inbound.find((t) => t.name === 'sb:sb-test:carrier');
    expect(trunk?.allowedAddresses.sort()).toEqual(['54.172.60.0/30', '54.244.51.0/30']);
    expect(Number(trunk?.maxCallDuration?.seconds)).toBe(600);
    expect(Number(trunk?.ringingTimeout?.seconds)).toBe(30);
    expect(JSON.parse(trunk?.metadata ?? '{}')).toMatchObject({
      managedBy: 'switchboard',
      deployment: 'sb-test',
      name: 'carrier',
    });
    expect(
      outbound.map((t) => [t.name, t.address, t.transport, t.authUsername, t.headers]),
    ).toEqual([
      [
        'sb:sb-test:callback',
        'example.pstn.twilio.com:5061',
        3,
        'helpdesk',
        { 'X-Account': 'helpdesk' },
      ],
    ]); // 3: SIP_TRANSPORT_TLS
    const main = rules.find((r) => r.name === 'sb:sb-test:main');
    expect(main?.trunkIds).toEqual([trunk?.sipTrunkId]);
    expect(main?.roomConfig?.agents.map((a) => a.agentName)).toEqual(['switchboard-agent']);

    const second = await converge(slice);
    expect(second.found.hasChanges).toBe(false);
    expect(second.found.counts).toMatchObject({ unchanged: 6, create: 0, update: 0, delete: 0 });
    expect(second.result.applied).toEqual([]);
  });

  it('updates each kind in place, keeping ids', async () => {
    await converge(slice);
    const idsBefore = (await sip().listSipInboundTrunk()).map((t) => t.sipTrunkId).sort();
    const changed = {
      inboundTrunks: [
        { ...carrier, allowedAddresses: ['54.172.60.0/30'] },
        { ...phones, auth: { username: 'helpdesk', password: 'second-long-password' } },
      ],
      outboundTrunks: [{ ...callback, transport: 'tcp' }],
      dispatchRules: [
        { name: 'main', trunks: ['carrier'], roomPrefix: 'zol-', agentName: 'other-agent' },
        ...slice.dispatchRules.slice(1),
      ],
    };
    const { found, result } = await converge(changed);
    const updates = found.changes.filter((c) => c.action === 'update');
    expect(updates.map((c) => [c.kind, c.name, c.fields])).toEqual([
      ['inboundTrunk', 'carrier', ['allowedAddresses']],
      ['inboundTrunk', 'phones', ['authPassword']],
      ['outboundTrunk', 'callback', ['transport']],
      ['dispatchRule', 'main', ['room', 'agentName', 'attributes']],
    ]);
    expect(result.ok).toBe(true);

    const inbound = await sip().listSipInboundTrunk();
    expect(inbound.map((t) => t.sipTrunkId).sort()).toEqual(idsBefore);
    expect(inbound.find((t) => t.name.endsWith(':carrier'))?.allowedAddresses).toEqual([
      '54.172.60.0/30',
    ]);
    expect(inbound.find((t) => t.name.endsWith(':phones'))?.authPassword).toBe(
      'second-long-password',
    );
    expect((await sip().listSipOutboundTrunk())[0]?.transport).toBe(2); // SIP_TRANSPORT_TCP
    const main = (await sip().listSipDispatchRule()).find((r) => r.name.endsWith(':main'));
    expect(main?.rule?.rule.value).toMatchObject({ roomPrefix: 'zol-' });
    expect(main?.roomConfig?.agents[0]?.agentName).toBe('other-agent');
    expect((await converge(changed)).found.hasChanges).toBe(false);
  });

  it('deletes owned objects that left the config, only with prune', async () => {
    await converge(slice);
    const smaller = {
      inboundTrunks: [carrier],
      outboundTrunks: [],
      dispatchRules: [slice.dispatchRules[0]],
    };
    const kept = await converge(smaller);
    const deletes = kept.found.changes.filter((c) => c.action === 'delete');
    expect(deletes.map((c) => `${c.kind}:${c.name}`).sort()).toEqual([
      'dispatchRule:by-callee',
      'dispatchRule:conference',
      'inboundTrunk:phones',
      'outboundTrunk:callback',
    ]);
    expect(kept.result.skipped).toHaveLength(4);
    expect(await sip().listSipOutboundTrunk()).toHaveLength(1);

    const pruned = await converge(smaller, { prune: true });
    expect(pruned.result.applied.filter((c) => c.action === 'delete')).toHaveLength(4);
    expect((await sip().listSipInboundTrunk()).map((t) => t.name)).toEqual(['sb:sb-test:carrier']);
    expect(await sip().listSipOutboundTrunk()).toEqual([]);
    expect((await sip().listSipDispatchRule()).map((r) => r.name)).toEqual(['sb:sb-test:main']);
    expect((await converge(smaller, { prune: true })).found.hasChanges).toBe(false);
  });

  it('leaves unmanaged objects untouched through apply --prune', async () => {
    const foreign = await sip().createSipInboundTrunk('pbx-office', ['+3225550199'], {
      allowedAddresses: ['198.51.100.7'],
      metadata: 'made by hand',
    });
    // Same name pattern as ours but another deployment's mark: also not ours.
    const neighbour = await sip().createSipOutboundTrunk(
      'sb:other:callback',
      'sip.example.org',
      ['+3225550188'],
      {
        transport: 0 as never,
        metadata: JSON.stringify({
          managedBy: 'switchboard',
          deployment: 'other',
          name: 'callback',
          specHash: 'x',
        }),
      },
    );
    const before = JSON.stringify([foreign.toJson(), neighbour.toJson()]);

    const { found, result } = await converge(slice, { prune: true });
    expect(
      found.changes
        .filter((c) => c.action === 'unmanaged')
        .map((c) => c.id)
        .sort(),
    ).toEqual([foreign.sipTrunkId, neighbour.sipTrunkId].sort());
    expect(result.ok).toBe(true);
    const after = [
      (await sip().listSipInboundTrunk({ trunkIds: [foreign.sipTrunkId] }))[0],
      (await sip().listSipOutboundTrunk({ trunkIds: [neighbour.sipTrunkId] }))[0],
    ];
    expect(JSON.stringify(after.map((t) => t?.toJson()))).toBe(before);
  });

  it('repairs objects edited or deleted by hand', async () => {
    await converge(slice);
    const trunk = (await sip().listSipInboundTrunk()).find((t) => t.name.endsWith(':carrier'))!;
    await sip().updateSipInboundTrunkFields(trunk.sipTrunkId, {
      allowedAddresses: { set: ['0.0.0.0/0'], add: [], del: [] } as never,
    });
    const rule = (await sip().listSipDispatchRule()).find((r) => r.name.endsWith(':main'))!;
    await sip().deleteSipDispatchRule(rule.sipDispatchRuleId);

    const { found, result } = await converge(slice);
    expect(
      found.changes
        .filter((c) => c.action === 'update' || c.action === 'create')
        .map((c) => [c.action, c.name, c.fields]),
    ).toEqual([
      ['update', 'carrier', ['allowedAddresses']],
      ['create', 'main', undefined],
    ]);
    expect(result.ok).toBe(true);
    const repaired = (await sip().listSipInboundTrunk({ trunkIds: [trunk.sipTrunkId] }))[0];
    expect(repaired?.allowedAddresses.sort()).toEqual(['54.172.60.0/30', '54.244.51.0/30']);
  });

  it('repairs an outbound trunk edited by hand, keeping its id', async () => {
    await converge(slice);
    const [trunk] = await sip().listSipOutboundTrunk();
    // As `lk sip outbound update` would: a full replace, our metadata kept.
    const edited = trunk!.clone();
    edited.address = 'attacker.example.org';
    edited.numbers = ['+3225550999'];
    await sip().updateSipOutboundTrunk(trunk!.sipTrunkId, edited);
    await sip().updateSipOutboundTrunkFields(trunk!.sipTrunkId, { authPassword: 'guessed' });

    const { found, result } = await converge(slice);
    expect(
      found.changes
        .filter((c) => c.action !== 'unchanged')
        .map((c) => [c.kind, c.action, c.name, c.fields]),
    ).toEqual([['outboundTrunk', 'update', 'callback', ['address', 'numbers', 'authPassword']]]);
    expect(result.ok).toBe(true);
    const repaired = await sip().listSipOutboundTrunk();
    expect(repaired.map((t) => [t.sipTrunkId, t.address, t.numbers])).toEqual([
      [trunk!.sipTrunkId, 'example.pstn.twilio.com:5061', ['+3225550100']],
    ]);
  });

  it('finds the outbound trunk by config name, only when this deployment owns it', async () => {
    await expect(findOutboundTrunk(stack.client, 'sb-test', 'callback')).rejects.toThrow(
      /"sb:sb-test:callback" is not in LiveKit.*provision apply/,
    );
    // A trunk with our name but without the metadata mark is somebody else's.
    await sip().createSipOutboundTrunk('sb:sb-test:callback', 'sip.example.org', ['+3225550188'], {
      transport: 0 as never,
    });
    await expect(findOutboundTrunk(stack.client, 'sb-test', 'callback')).rejects.toThrow();
    await converge(slice);
    const ours = (await sip().listSipOutboundTrunk()).find((t) => t.metadata.includes('managedBy'));
    expect(await findOutboundTrunk(stack.client, 'sb-test', 'callback')).toBe(ours?.sipTrunkId);
    await expect(findOutboundTrunk(stack.client, 'other', 'callback')).rejects.toThrow();
  });

  it('accepts, in LiveKit itself, the trunk our validation refuses as open to the world', async () => {
    // The open-to-world-livekit-accepts.yaml fixture, sent straight to LiveKit.
    const open = await sip().createSipInboundTrunk('open', ['+3225550100'], {
      allowedAddresses: ['54.172.60.0/30, 54.244.51.0/30'],
    });
    expect(open.allowedAddresses).toEqual(['54.172.60.0/30, 54.244.51.0/30']);
    expect(open.authUsername).toBe('');
  });
});
