import { Counter, Histogram } from 'prom-client';
import { registry } from '../telemetry/index.js';

export type DecisionResult =
  'allowed' | 'rate_limited' | 'over_capacity' | 'failed_open' | 'failed_closed';

export type RedisOperation = 'rate_limit' | 'acquire' | 'heartbeat' | 'release' | 'forget';

export const admissionDecisions = new Counter({
  name: 'switchboard_admission_decisions_total',
  help: 'Admission decisions by result',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const admissionRedisFailures = new Counter({
  name: 'switchboard_admission_redis_failures_total',
  help: 'Admission Redis operations that failed or timed out, by operation',
  labelNames: ['operation'] as const,
  registers: [registry],
});

export const admissionDecisionSeconds = new Histogram({
  name: 'switchboard_admission_decision_seconds',
  help: 'Time to reach an admission decision, Redis round trips included',
  labelNames: ['result'] as const,
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1],
  registers: [registry],
});
