import type { ProvisioningClient } from './client.js';
import { activeCallsByTrunk } from './active-calls.js';
import type { Desired } from './desired.js';
import type { Plan, PlanChange } from './plan.js';
import {
  createInbound,
  createOutbound,
  createRule,
  replaceInbound,
  replaceOutbound,
  replaceRule,
} from './writers.js';

export interface ApplyOptions {
  /** Delete owned objects that are no longer in the config. */
  prune?: boolean;
  /** Delete trunks even while they carry calls (the calls keep running until they end). */
  force?: boolean;
  /** Parallel writes per step; LiveKit handles each write in a few milliseconds. */
  concurrency?: number;
}

export interface ApplyResult {
  /** Creates, updates and deletes that were done. */
  applied: PlanChange[];
  /** Deletes left alone because `prune` was off. */
  skipped: PlanChange[];
  /** Trunk deletes refused because the trunk carries calls and `force` was off. */
  blocked: Array<PlanChange & { activeCalls: number }>;
  failed: Array<PlanChange & { error: string }>;
  /** Nothing failed and nothing was blocked. */
  ok: boolean;
}

/**
 * Executes a plan: rule deletes, trunk deletes, trunk writes, then rule writes (rules need the
 * ids of the trunks they bind). A failed step is reported and the rest still runs, so one bad
 * object cannot keep every other trunk down. Running the same config again changes nothing.
 */
export async function apply(
  plan: Plan,
  client: ProvisioningClient,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const result: ApplyResult = { applied: [], skipped: [], blocked: [], failed: [], ok: true };
  const { sip } = client;
  const limit = opts.concurrency ?? 4;
  const desired = plan.desired;
  const of = <S>(list: Array<Desired<S>>, name: string) => {
    const found = list.find((d) => d.configName === name);
    if (!found) throw new Error(`plan and desired state disagree about "${name}"`);
    return found;
  };
  const run = (changes: PlanChange[], step: (c: PlanChange) => Promise<void>) =>
    eachLimited(changes, limit, async (change) => {
      try {
        await step(change);
        result.applied.push(change);
      } catch (err) {
        result.failed.push({ ...change, error: describe(change, err) });
      }
    });
  const pick = (kind: PlanChange['kind'], action: PlanChange['action']) =>
    plan.changes.filter((c) => c.kind === kind && c.action === action);

  const deletes = plan.changes.filter((c) => c.action === 'delete');
  if (!opts.prune) {
    result.skipped.push(...deletes.filter((c) => c.reason !== 'duplicate'));
  }
  const toDelete = deletes.filter((c) => opts.prune || c.reason === 'duplicate');
  await run(
    toDelete.filter((c) => c.kind === 'dispatchRule'),
    (c) => sip.deleteSipDispatchRule(c.id!).then(() => undefined),
  );
  const trunkDeletes = toDelete.filter((c) => c.kind !== 'dispatchRule');
  let calls = new Map<string, number>();
  if (!opts.force && trunkDeletes.length > 0) {
    try {
      calls = await activeCallsByTrunk(
        client.rooms,
        trunkDeletes.map((c) => c.id!),
      );
    } catch (err) {
      // Not knowing is not "no calls": keep the trunks and say why.
      for (const c of trunkDeletes) result.failed.push({ ...c, error: describe(c, err) });
      trunkDeletes.length = 0;
    }
  }
  for (const change of trunkDeletes.filter((c) => (calls.get(c.id!) ?? 0) > 0)) {
    result.blocked.push({ ...change, activeCalls: calls.get(change.id!) ?? 0 });
  }
  await run(
    trunkDeletes.filter((c) => (calls.get(c.id!) ?? 0) === 0),
    (c) => sip.deleteSipTrunk(c.id!).then(() => undefined),
  );

  const trunkIds = new Map<string, string>();
  for (const c of plan.changes) {
    if (c.kind === 'inboundTrunk' && c.id && (c.action === 'update' || c.action === 'unchanged')) {
      trunkIds.set(c.name, c.id);
    }
  }
  await run(pick('inboundTrunk', 'update'), (c) =>
    replaceInbound(sip, c.id!, of(desired.inboundTrunks, c.name)),
  );
  await run(pick('inboundTrunk', 'create'), async (c) => {
    trunkIds.set(c.name, await createInbound(sip, of(desired.inboundTrunks, c.name)));
  });
  await run(pick('outboundTrunk', 'update'), (c) =>
    replaceOutbound(sip, c.id!, of(desired.outboundTrunks, c.name)),
  );
  await run(pick('outboundTrunk', 'create'), (c) =>
    createOutbound(sip, of(desired.outboundTrunks, c.name)).then(() => undefined),
  );

  const boundIds = (name: string) => {
    const rule = of(desired.dispatchRules, name);
    return rule.spec.trunks.map((trunk) => {
      const id = trunkIds.get(trunk);
      if (!id) throw new Error(`inbound trunk "${trunk}" does not exist (its own step failed)`);
      return id;
    });
  };
  await run(pick('dispatchRule', 'update'), (c) =>
    replaceRule(sip, c.id!, of(desired.dispatchRules, c.name), boundIds(c.name)),
  );
  await run(pick('dispatchRule', 'create'), (c) =>
    createRule(sip, of(desired.dispatchRules, c.name), boundIds(c.name)).then(() => undefined),
  );
  result.ok = result.failed.length === 0 && result.blocked.length === 0;
  return result;
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

/**
 * A one-line reason without phone numbers: LiveKit's conflict errors quote the trunk's numbers,
 * and this text ends up in logs.
 */
function describe(change: PlanChange, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.replace(/\+?\d{7,15}/g, '[number]');
  const hint = /conflict/i.test(message)
    ? ' (another trunk or rule claims the same numbers: an unmanaged object, or an old one that apply --prune removes)'
    : '';
  const verb =
    change.action === 'delete' ? 'deleting' : change.action === 'create' ? 'creating' : 'updating';
  return `${verb} ${change.kind} "${change.name}": ${message}${hint}`;
}
