import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process. Capabilities register their own metrics on it (see each folder's
 * metrics.ts); the control plane serves it at /metrics. Labels never carry a phone number.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'switchboard_process_' });
