import type { SipClient } from 'livekit-server-sdk';
import type { Desired, DesiredState } from './desired.js';
import { observeInbound, observeOutbound, observeRule, readLive, type LiveState } from './live.js';
import { canonicalJson, ownedBy, type OwnershipMark } from './ownership.js';

export type ObjectKind = 'inboundTrunk' | 'outboundTrunk' | 'dispatchRule';
export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged' | 'unmanaged';
export const PLAN_ACTIONS: readonly PlanAction[] = [
  'create',
  'update',
  'delete',
  'unchanged',
  'unmanaged',
];

export interface PlanChange {
  kind: ObjectKind;
  action: PlanAction;
  /** Config name for our objects; the LiveKit name for unmanaged ones. */
  name: string;
  /** LiveKit id, when the object exists. */
  id?: string;
  /** For `update`: the spec fields that differ (names only, never values). */
  fields?: string[];
  /** For `delete`: `not in config` or `duplicate`. */
  reason?: string;
}

export interface Plan {
  deployment: string;
  changes: PlanChange[];
  counts: Record<PlanAction, number>;
  /** True when something would be created, updated or deleted. */
  hasChanges: boolean;
  warnings: string[];
  /** The desired state the plan was made for; holds secrets, so it is not enumerable. */
  readonly desired: DesiredState;
}

/** Reads what LiveKit holds and compares it with the desired state. */
export async function plan(desired: DesiredState, client: { sip: SipClient }): Promise<Plan> {
  return diffPlan(desired, await readLive(client.sip));
}

interface LiveObject {
  name: string;
  metadata: string;
}

interface Side<L extends LiveObject, S> {
  kind: ObjectKind;
  live: L[];
  id: (l: L) => string;
  desired: Array<Desired<S>>;
  observe: (l: L) => S;
}

/** Pure comparison of desired and live state; unit-testable without a server. */
export function diffPlan(desired: DesiredState, live: LiveState): Plan {
  const changes: PlanChange[] = [];
  const inbound = diffKind(desired.deployment, changes, {
    kind: 'inboundTrunk',
    live: live.inboundTrunks,
    id: (t) => t.sipTrunkId,
    desired: desired.inboundTrunks,
    observe: observeInbound,
  });
  diffKind(desired.deployment, changes, {
    kind: 'outboundTrunk',
    live: live.outboundTrunks,
    id: (t) => t.sipTrunkId,
    desired: desired.outboundTrunks,
    observe: observeOutbound,
  });
  // Rules are compared with trunk ids mapped back to the names of the trunks we keep.
  const trunkNames = new Map([...inbound].map(([name, id]) => [id, name]));
  diffKind(desired.deployment, changes, {
    kind: 'dispatchRule',
    live: live.dispatchRules,
    id: (r) => r.sipDispatchRuleId,
    desired: desired.dispatchRules,
    observe: (r) => observeRule(r, trunkNames),
  });
  const counts = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  for (const change of changes) counts[change.action] += 1;
  const result = {
    deployment: desired.deployment,
    changes,
    counts,
    hasChanges: counts.create + counts.update + counts.delete > 0,
    warnings: desired.warnings,
  };
  Object.defineProperty(result, 'desired', { value: desired, enumerable: false });
  return result as Plan;
}

/** Appends the kind's changes; returns config name → id of the objects kept. */
function diffKind<L extends LiveObject, S extends object>(
  deployment: string,
  changes: PlanChange[],
  side: Side<L, S>,
): Map<string, string> {
  const owned = new Map<string, Array<{ object: L; mark: OwnershipMark }>>();
  for (const object of side.live) {
    const mark = ownedBy(deployment, object);
    if (!mark) {
      changes.push({
        kind: side.kind,
        action: 'unmanaged',
        name: object.name,
        id: side.id(object),
      });
      continue;
    }
    owned.set(mark.name, [...(owned.get(mark.name) ?? []), { object, mark }]);
  }
  const kept = new Map<string, string>();
  for (const want of side.desired) {
    const candidates = owned.get(want.configName) ?? [];
    owned.delete(want.configName);
    const scored = candidates.map((c) => ({
      ...c,
      fields: diffFields(side.observe(c.object), want.spec),
    }));
    // Keep the copy closest to the config; a second copy (from a race) is deleted.
    scored.sort((a, b) => a.fields.length - b.fields.length);
    const [keep, ...extra] = scored;
    for (const dup of extra) {
      const id = side.id(dup.object);
      changes.push({
        kind: side.kind,
        action: 'delete',
        name: want.configName,
        id,
        reason: 'duplicate',
      });
    }
    if (!keep) {
      changes.push({ kind: side.kind, action: 'create', name: want.configName });
      continue;
    }
    const id = side.id(keep.object);
    kept.set(want.configName, id);
    const fields =
      keep.fields.length === 0 && keep.mark.specHash !== want.hash ? ['metadata'] : keep.fields;
    changes.push({
      kind: side.kind,
      action: fields.length > 0 ? 'update' : 'unchanged',
      name: want.configName,
      id,
      ...(fields.length > 0 ? { fields } : {}),
    });
  }
  for (const [name, leftovers] of owned) {
    for (const { object } of leftovers) {
      changes.push({
        kind: side.kind,
        action: 'delete',
        name,
        id: side.id(object),
        reason: 'not in config',
      });
    }
  }
  return kept;
}

/** Names of the spec fields whose observed value differs from the desired one. */
export function diffFields<S extends object>(observed: S, desired: S): string[] {
  return Object.keys(desired).filter(
    (key) =>
      canonicalJson((observed as Record<string, unknown>)[key]) !==
      canonicalJson((desired as Record<string, unknown>)[key]),
  );
}
