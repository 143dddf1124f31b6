import type { ProvisioningConfig } from './config.js';
import { encodeMark, objectName, specHash } from './ownership.js';

/**
 * Participant attribute carrying the caller's SIP From header. With `hidePhoneNumber` LiveKit
 * drops `sip.phoneNumber`; admission reads the caller from here instead, and only pseudonyms
 * leave the agent.
 */
export const CALLER_FROM_ATTRIBUTE = 'switchboard.from';

export type MediaEncryption = 'disable' | 'allow' | 'require';
export type Transport = 'auto' | 'udp' | 'tcp' | 'tls';
export type RuleType = 'individual' | 'direct' | 'callee';

/** Everything Switchboard sets on an inbound trunk. Lists are sorted so order never counts as drift. */
export interface InboundSpec {
  name: string;
  numbers: string[];
  allowedAddresses: string[];
  allowedNumbers: string[];
  authUsername: string;
  authPassword: string;
  mediaEncryption: MediaEncryption;
  headersToAttributes: Record<string, string>;
  ringingTimeoutSeconds: number;
  maxCallDurationSeconds: number;
}

export interface OutboundSpec {
  name: string;
  address: string;
  transport: Transport;
  numbers: string[];
  authUsername: string;
  authPassword: string;
  headers: Record<string, string>;
}

export interface RuleSpec {
  name: string;
  type: RuleType;
  /** Room prefix (individual, callee) or room name (direct). */
  room: string;
  pin: string;
  /** Inbound trunks by config name; resolved to LiveKit ids when applied. */
  trunks: string[];
  hidePhoneNumber: boolean;
  agentName: string;
  attributes: Record<string, string>;
}

export interface Desired<S> {
  /** Name in switchboard.yaml. */
  configName: string;
  spec: S;
  hash: string;
  /** Ownership mark written into the object's metadata. */
  metadata: string;
}

export interface DesiredState {
  deployment: string;
  inboundTrunks: Array<Desired<InboundSpec>>;
  outboundTrunks: Array<Desired<OutboundSpec>>;
  dispatchRules: Array<Desired<RuleSpec>>;
  /** Valid but probably unintended: printed by the CLI, logged by the reconciler. */
  warnings: string[];
}

/** What provisioning needs from the config; a full `SwitchboardConfig` fits. */
export interface ProvisioningTarget {
  deployment: string;
  provisioning: ProvisioningConfig;
  agent?: { name: string };
  /** A trunk without its own mediaEncryption follows sip.mediaEncryption. */
  sip?: { mediaEncryption: MediaEncryption };
}

export const DEFAULT_AGENT_NAME = 'switchboard-agent';
export const DEFAULT_ROOM_PREFIX = 'call-';

const sorted = (list: readonly string[]) => [...list].sort();

function desired<S extends { name: string }>(
  deployment: string,
  configName: string,
  build: (name: string) => S,
): Desired<S> {
  const spec = build(objectName(deployment, configName));
  const hash = specHash(spec);
  return {
    configName,
    spec,
    hash,
    metadata: encodeMark({ deployment, name: configName, specHash: hash }),
  };
}

/** Resolves defaults and names: the exact state LiveKit should be in for this config. */
export function desiredState(target: ProvisioningTarget): DesiredState {
  const { deployment, provisioning } = target;
  const agentName = target.agent?.name ?? DEFAULT_AGENT_NAME;
  const inboundTrunks = provisioning.inboundTrunks.map((t) =>
    desired<InboundSpec>(deployment, t.name, (name) => ({
      name,
      numbers: sorted(t.numbers),
      allowedAddresses: sorted(t.allowedAddresses),
      allowedNumbers: sorted(t.allowedNumbers),
      authUsername: t.auth?.username ?? '',
      authPassword: t.auth?.password ?? '',
      mediaEncryption: t.mediaEncryption ?? target.sip?.mediaEncryption ?? 'disable',
      headersToAttributes: { From: CALLER_FROM_ATTRIBUTE, ...t.headersToAttributes },
      ringingTimeoutSeconds: t.ringingTimeoutSeconds,
      maxCallDurationSeconds: t.maxCallDurationSeconds,
    })),
  );
  const outboundTrunks = provisioning.outboundTrunks.map((t) =>
    desired<OutboundSpec>(deployment, t.name, (name) => ({
      name,
      address: t.address,
      transport: t.transport,
      numbers: sorted(t.numbers),
      authUsername: t.auth?.username ?? '',
      authPassword: t.auth?.password ?? '',
      headers: { ...t.headers },
    })),
  );
  const dispatchRules = provisioning.dispatchRules.map((r) =>
    desired<RuleSpec>(deployment, r.name, (name) => ({
      name,
      type: r.type,
      room: r.type === 'direct' ? (r.roomName ?? '') : r.roomPrefix || DEFAULT_ROOM_PREFIX,
      pin: r.pin ?? '',
      trunks: sorted([...new Set(r.trunks)]),
      hidePhoneNumber: r.hidePhoneNumber,
      agentName: r.agentName ?? agentName,
      attributes: { ...r.attributes },
    })),
  );
  return {
    deployment,
    inboundTrunks,
    outboundTrunks,
    dispatchRules,
    warnings: warningsFor(provisioning, agentName),
  };
}

function warningsFor(provisioning: ProvisioningConfig, agentName: string): string[] {
  const warnings: string[] = [];
  const bound = new Set(provisioning.dispatchRules.flatMap((r) => r.trunks));
  for (const trunk of provisioning.inboundTrunks) {
    if (!bound.has(trunk.name)) {
      warnings.push(
        `inbound trunk "${trunk.name}" has no dispatch rule: livekit-sip drops its calls (logged as "flood")`,
      );
    }
  }
  for (const rule of provisioning.dispatchRules) {
    if (rule.agentName !== undefined && rule.agentName !== agentName) {
      warnings.push(
        `dispatch rule "${rule.name}" dispatches agent "${rule.agentName}", but this deployment's worker is "${agentName}"`,
      );
    }
  }
  return warnings;
}
