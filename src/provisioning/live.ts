import type {
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SIPOutboundTrunkInfo,
  SipClient,
} from 'livekit-server-sdk';
import type {
  InboundSpec,
  MediaEncryption,
  OutboundSpec,
  RuleSpec,
  RuleType,
  Transport,
} from './desired.js';
import { objectName, ownedBy } from './ownership.js';

/** Wire values of the protobuf enums (SIPMediaEncryption, SIPTransport). */
export const MEDIA_ENCRYPTION: readonly MediaEncryption[] = ['disable', 'allow', 'require'];
export const TRANSPORT: readonly Transport[] = ['auto', 'udp', 'tcp', 'tls'];

export interface LiveState {
  inboundTrunks: SIPInboundTrunkInfo[];
  outboundTrunks: SIPOutboundTrunkInfo[];
  dispatchRules: SIPDispatchRuleInfo[];
}

export async function readLive(sip: SipClient): Promise<LiveState> {
  const [inboundTrunks, outboundTrunks, dispatchRules] = await Promise.all([
    sip.listSipInboundTrunk(),
    sip.listSipOutboundTrunk(),
    sip.listSipDispatchRule(),
  ]);
  return { inboundTrunks, outboundTrunks, dispatchRules };
}

const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].sort();
const seconds = (d: { seconds: bigint } | undefined) => (d ? Number(d.seconds) : 0);

/** The inbound trunk as LiveKit holds it, in the shape of the desired spec. */
export function observeInbound(t: SIPInboundTrunkInfo): InboundSpec {
  const encryption = t.mediaEncryption || t.media?.encryption || 0;
  return {
    name: t.name,
    numbers: sorted(t.numbers),
    allowedAddresses: sorted(t.allowedAddresses),
    allowedNumbers: sorted(t.allowedNumbers),
    authUsername: t.authUsername,
    authPassword: t.authPassword,
    mediaEncryption: MEDIA_ENCRYPTION[encryption] ?? 'disable',
    headersToAttributes: { ...t.headersToAttributes },
    ringingTimeoutSeconds: seconds(t.ringingTimeout),
    maxCallDurationSeconds: seconds(t.maxCallDuration),
  };
}

export function observeOutbound(t: SIPOutboundTrunkInfo): OutboundSpec {
  return {
    name: t.name,
    address: t.address,
    transport: TRANSPORT[t.transport] ?? 'auto',
    numbers: sorted(t.numbers),
    authUsername: t.authUsername,
    authPassword: t.authPassword,
    headers: { ...t.headers },
  };
}

/**
 * The rule as LiveKit holds it. Trunk ids are mapped back to config names through the trunks we
 * own; an id we do not know stays as `id:<id>` so it never equals a desired name.
 */
export function observeRule(r: SIPDispatchRuleInfo, trunkNames: Map<string, string>): RuleSpec {
  const rule = r.rule?.rule;
  let type: RuleType = 'individual';
  let room = '';
  let pin = '';
  if (rule?.case === 'dispatchRuleDirect') {
    type = 'direct';
    room = rule.value.roomName;
    pin = rule.value.pin;
  } else if (rule?.case === 'dispatchRuleIndividual') {
    room = rule.value.roomPrefix;
    pin = rule.value.pin;
  } else if (rule?.case === 'dispatchRuleCallee') {
    type = 'callee';
    room = rule.value.roomPrefix;
    pin = rule.value.pin;
  }
  const agents = r.roomConfig?.agents ?? [];
  return {
    name: r.name,
    type,
    room,
    pin,
    trunks: sorted(r.trunkIds.map((id) => trunkNames.get(id) ?? `id:${id}`)),
    hidePhoneNumber: r.hidePhoneNumber,
    // More than one agent is not something we ever write: make it differ.
    agentName: agents.length === 1 ? (agents[0]?.agentName ?? '') : `agents:${agents.length}`,
    attributes: { ...r.attributes },
  };
}

/**
 * The LiveKit id of this deployment's outbound trunk `name` (its name in switchboard.yaml). Only
 * a trunk carrying both ownership marks counts; throws, saying what to run, when there is none.
 */
export async function findOutboundTrunk(
  client: { sip: Pick<SipClient, 'listSipOutboundTrunk'> },
  deployment: string,
  name: string,
): Promise<string> {
  const trunks = await client.sip.listSipOutboundTrunk();
  const ours = trunks
    .filter((t) => ownedBy(deployment, t)?.name === name)
    .map((t) => t.sipTrunkId)
    .sort();
  const id = ours[0];
  if (id === undefined) {
    throw new Error(
      `outbound trunk "${objectName(deployment, name)}" is not in LiveKit; define "${name}" under ` +
        'provisioning.outboundTrunks and run `switchboard provision apply` (or `switchboard up`)',
    );
  }
  return id;
}
