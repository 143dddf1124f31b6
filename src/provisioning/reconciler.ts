import { createLogger, type Logger } from '../telemetry/index.js';
import { apply, type ApplyResult } from './apply.js';
import { createProvisioningClient, type LivekitApi, type ProvisioningClient } from './client.js';
import { desiredState, type ProvisioningTarget } from './desired.js';
import {
  provisioningChanges,
  provisioningLastSuccess,
  provisioningObjects,
  provisioningReconciles,
  provisioningReconcileSeconds,
  type ReconcileOutcome,
  type ReconcileTrigger,
} from './metrics.js';
import { plan, type Plan } from './plan.js';
import { watchRedis, type RedisWatch } from './redis-watch.js';

/** A full `SwitchboardConfig` fits; `livekit` and `redis` are only read when not given below. */
export interface ReconcilerConfig extends ProvisioningTarget {
  livekit?: { url: string; apiKey: string; apiSecret: string };
  redis?: { url: string };
}

export interface ReconcilerOptions {
  config: ReconcilerConfig;
  /** Default: config.livekit (url, key and secret). */
  livekit?: LivekitApi;
  /** Redis shared with LiveKit, watched for flushes and restarts. Default: config.redis.url. */
  redisUrl?: string;
  logger?: Logger;
  /** Full compare with LiveKit this often (catches edits made with `lk`); default 5000. */
  intervalMs?: number;
  /** Redis marker and run_id poll; default 1000. */
  redisPollMs?: number;
  /** Delete owned objects that left the config; default true (config is the source of truth). */
  prune?: boolean;
  /** For tests: clients built elsewhere. */
  client?: ProvisioningClient;
}

export interface ReconcilerStatus {
  runs: number;
  lastRunAt?: Date;
  lastTrigger?: ReconcileTrigger;
  lastPlan?: Plan;
  lastResult?: ApplyResult;
  lastError?: string;
}

export interface Reconciler {
  /** Compares and repairs now; resolves with the plan that was found (and applied). */
  reconcileNow(): Promise<Plan>;
  status(): ReconcilerStatus;
  stop(): Promise<void>;
}

/**
 * Makes LiveKit match `config.provisioning` and keeps it so: once now (resolves after it, and
 * rejects if it fails), then every `intervalMs`, and at once when the Redis behind LiveKit was
 * flushed or restarted. Reconciles never overlap; requests made during one share the next.
 */
export async function startReconciler(opts: ReconcilerOptions): Promise<Reconciler> {
  const { config } = opts;
  const logger = (opts.logger ?? createLogger({ name: 'switchboard' })).child({
    component: 'provisioning',
  });
  const client = opts.client ?? createProvisioningClient(livekitApi(opts));
  const desired = desiredState(config);
  const prune = opts.prune ?? true;
  const status: ReconcilerStatus = { runs: 0 };
  for (const warning of desired.warnings) logger.warn({ warning }, 'provisioning config warning');

  const run = async (trigger: ReconcileTrigger): Promise<Plan> => {
    const end = provisioningReconcileSeconds.startTimer();
    status.runs += 1;
    status.lastRunAt = new Date();
    status.lastTrigger = trigger;
    let outcome: ReconcileOutcome = 'error';
    try {
      await watch?.arm();
      const found = await plan(desired, client);
      status.lastPlan = found;
      recordObjects(found);
      outcome = 'in_sync';
      if (found.hasChanges) {
        const result = await apply(found, client, { prune });
        status.lastResult = result;
        for (const c of result.applied) provisioningChanges.inc({ kind: c.kind, action: c.action });
        outcome = result.ok ? 'repaired' : 'partial';
        const fields = { trigger, counts: found.counts, applied: result.applied.length };
        if (result.ok) logger.info(fields, 'provisioning repaired drift');
        else {
          logger.error(
            {
              ...fields,
              failed: result.failed.map((f) => f.error),
              blocked: result.blocked.length,
            },
            'provisioning could not apply every change',
          );
        }
      }
      if (outcome !== 'partial') provisioningLastSuccess.setToCurrentTime();
      status.lastError = undefined;
      return found;
    } catch (err) {
      status.lastError = err instanceof Error ? err.message : String(err);
      logger.warn({ trigger, err: status.lastError }, 'provisioning reconcile failed');
      throw err;
    } finally {
      provisioningReconciles.inc({ trigger, outcome });
      end();
    }
  };

  let tail: Promise<unknown> = Promise.resolve();
  let pending: Promise<Plan> | undefined;
  const request = (trigger: ReconcileTrigger): Promise<Plan> => {
    if (pending) return pending;
    const next = tail.then(() => {
      pending = undefined;
      return run(trigger);
    });
    pending = next;
    tail = next.catch(() => undefined);
    return next;
  };

  let stopped = false;
  const redisUrl = opts.redisUrl ?? config.redis?.url;
  const watch: RedisWatch | undefined = redisUrl
    ? watchRedis({
        redisUrl,
        key: `switchboard:{${config.deployment}}:provisioning:marker`,
        intervalMs: opts.redisPollMs ?? 1000,
        logger,
        onReset: (reason) => {
          if (stopped) return;
          logger.warn({ reason }, 'redis lost its state; restoring trunks and rules');
          request(reason).catch(() => undefined);
        },
      })
    : undefined;

  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await watch?.stop();
    await tail;
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    await request('start');
    const failed = status.lastResult?.failed ?? [];
    if (failed.length > 0) {
      throw new Error(`provisioning failed:\n${failed.map((f) => `  - ${f.error}`).join('\n')}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const tick = () => {
    if (stopped) return;
    request('periodic')
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 5000);
      });
  };
  timer = setTimeout(tick, opts.intervalMs ?? 5000);

  return {
    reconcileNow: () => request('manual'),
    status: () => ({ ...status }),
    stop,
  };
}

function livekitApi(opts: ReconcilerOptions): LivekitApi {
  if (opts.livekit) return opts.livekit;
  const lk = opts.config.livekit;
  if (!lk)
    throw new Error('startReconciler needs livekit { url, apiKey, apiSecret } or config.livekit');
  return { url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret };
}

function recordObjects(found: Plan): void {
  provisioningObjects.reset();
  for (const c of found.changes) {
    if (c.action === 'create') continue;
    const ownership = c.action === 'unmanaged' ? 'unmanaged' : 'managed';
    provisioningObjects.inc({ kind: c.kind, ownership });
  }
}
