import {
  RoomAgentDispatch,
  RoomConfiguration,
  SIPDispatchRule,
  SIPDispatchRuleCallee,
  SIPDispatchRuleDirect,
  SIPDispatchRuleIndividual,
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SIPOutboundTrunkInfo,
  type CreateSipInboundTrunkOptions,
  type CreateSipOutboundTrunkOptions,
  type SipClient,
} from 'livekit-server-sdk';
import type { Desired, InboundSpec, OutboundSpec, RuleSpec } from './desired.js';
import { MEDIA_ENCRYPTION, TRANSPORT } from './live.js';

type Encryption = NonNullable<CreateSipInboundTrunkOptions['mediaEncryption']>;
type TransportWire = CreateSipOutboundTrunkOptions['transport'];

const encryption = (spec: InboundSpec) =>
  MEDIA_ENCRYPTION.indexOf(spec.mediaEncryption) as Encryption;
const transport = (spec: OutboundSpec) => TRANSPORT.indexOf(spec.transport) as TransportWire;
const duration = (s: number) => (s > 0 ? { seconds: BigInt(s) } : undefined);

function inboundInfo(d: Desired<InboundSpec>): SIPInboundTrunkInfo {
  const s = d.spec;
  return new SIPInboundTrunkInfo({
    name: s.name,
    metadata: d.metadata,
    numbers: s.numbers,
    allowedAddresses: s.allowedAddresses,
    allowedNumbers: s.allowedNumbers,
    authUsername: s.authUsername,
    authPassword: s.authPassword,
    mediaEncryption: encryption(s),
    headersToAttributes: s.headersToAttributes,
    ringingTimeout: duration(s.ringingTimeoutSeconds),
    maxCallDuration: duration(s.maxCallDurationSeconds),
  });
}

/**
 * Creates an inbound trunk. The SDK's create call has no max call duration, so a trunk that needs
 * one is completed with a full replace right away.
 */
export async function createInbound(sip: SipClient, d: Desired<InboundSpec>): Promise<string> {
  const s = d.spec;
  const created = await sip.createSipInboundTrunk(s.name, s.numbers, {
    metadata: d.metadata,
    allowedAddresses: s.allowedAddresses,
    allowedNumbers: s.allowedNumbers,
    authUsername: s.authUsername,
    authPassword: s.authPassword,
    mediaEncryption: encryption(s),
    headersToAttributes: s.headersToAttributes,
    ringingTimeout: s.ringingTimeoutSeconds || undefined,
  });
  if (s.maxCallDurationSeconds > 0) await replaceInbound(sip, created.sipTrunkId, d);
  return created.sipTrunkId;
}

/** A full replace, not a field update: whatever drifted (even fields we never set) is reset. */
export async function replaceInbound(
  sip: SipClient,
  id: string,
  d: Desired<InboundSpec>,
): Promise<void> {
  await sip.updateSipInboundTrunk(id, inboundInfo(d));
}

export async function createOutbound(sip: SipClient, d: Desired<OutboundSpec>): Promise<string> {
  const s = d.spec;
  const created = await sip.createSipOutboundTrunk(s.name, s.address, s.numbers, {
    metadata: d.metadata,
    transport: transport(s),
    authUsername: s.authUsername,
    authPassword: s.authPassword,
    headers: s.headers,
  });
  return created.sipTrunkId;
}

export async function replaceOutbound(
  sip: SipClient,
  id: string,
  d: Desired<OutboundSpec>,
): Promise<void> {
  const s = d.spec;
  await sip.updateSipOutboundTrunk(
    id,
    new SIPOutboundTrunkInfo({
      name: s.name,
      metadata: d.metadata,
      address: s.address,
      transport: transport(s),
      numbers: s.numbers,
      authUsername: s.authUsername,
      authPassword: s.authPassword,
      headers: s.headers,
    }),
  );
}

function ruleProto(s: RuleSpec): SIPDispatchRule {
  if (s.type === 'direct') {
    return new SIPDispatchRule({
      rule: {
        case: 'dispatchRuleDirect',
        value: new SIPDispatchRuleDirect({ roomName: s.room, pin: s.pin }),
      },
    });
  }
  if (s.type === 'callee') {
    return new SIPDispatchRule({
      rule: {
        case: 'dispatchRuleCallee',
        value: new SIPDispatchRuleCallee({ roomPrefix: s.room, pin: s.pin }),
      },
    });
  }
  return new SIPDispatchRule({
    rule: {
      case: 'dispatchRuleIndividual',
      value: new SIPDispatchRuleIndividual({ roomPrefix: s.room, pin: s.pin }),
    },
  });
}

const roomConfig = (s: RuleSpec) =>
  new RoomConfiguration({ agents: [new RoomAgentDispatch({ agentName: s.agentName })] });

export async function createRule(
  sip: SipClient,
  d: Desired<RuleSpec>,
  trunkIds: string[],
): Promise<string> {
  const s = d.spec;
  const rule =
    s.type === 'direct'
      ? { type: 'direct' as const, roomName: s.room, pin: s.pin }
      : { type: s.type, roomPrefix: s.room, pin: s.pin };
  const created = await sip.createSipDispatchRule(rule, {
    name: s.name,
    metadata: d.metadata,
    trunkIds,
    hidePhoneNumber: s.hidePhoneNumber,
    attributes: s.attributes,
    roomConfig: roomConfig(s),
  });
  return created.sipDispatchRuleId;
}

export async function replaceRule(
  sip: SipClient,
  id: string,
  d: Desired<RuleSpec>,
  trunkIds: string[],
): Promise<void> {
  const s = d.spec;
  await sip.updateSipDispatchRule(
    id,
    new SIPDispatchRuleInfo({
      name: s.name,
      metadata: d.metadata,
      rule: ruleProto(s),
      trunkIds,
      hidePhoneNumber: s.hidePhoneNumber,
      attributes: s.attributes,
      roomConfig: roomConfig(s),
    }),
  );
}
