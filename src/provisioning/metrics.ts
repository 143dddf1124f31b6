import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../telemetry/index.js';

/** What started a reconcile: the console's "SIP config drift" panel reads these. */
export type ReconcileTrigger =
  'start' | 'periodic' | 'redis_flush' | 'redis_restart' | 'redis_reconnect' | 'manual';
export type ReconcileOutcome = 'in_sync' | 'repaired' | 'partial' | 'error';

export const provisioningReconciles = new Counter({
  name: 'switchboard_provisioning_reconciles_total',
  help: 'Reconciles of LiveKit SIP objects by trigger and outcome (repaired = drift was found and fixed)',
  labelNames: ['trigger', 'outcome'] as const,
  registers: [registry],
});

export const provisioningChanges = new Counter({
  name: 'switchboard_provisioning_changes_total',
  help: 'LiveKit SIP objects created, updated or deleted by Switchboard',
  labelNames: ['kind', 'action'] as const,
  registers: [registry],
});

export const provisioningReconcileSeconds = new Histogram({
  name: 'switchboard_provisioning_reconcile_seconds',
  help: 'Time of one reconcile: list, compare and, when needed, apply',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const provisioningObjects = new Gauge({
  name: 'switchboard_provisioning_objects',
  help: 'LiveKit SIP objects seen at the last reconcile, by kind and ownership (managed, unmanaged)',
  labelNames: ['kind', 'ownership'] as const,
  registers: [registry],
});

export const provisioningLastSuccess = new Gauge({
  name: 'switchboard_provisioning_last_success_timestamp_seconds',
  help: 'Unix time of the last reconcile that left LiveKit matching the config',
  registers: [registry],
});
