import { Counter, Histogram } from 'prom-client';
import { registry } from '../../telemetry/index.js';

/** Turns sent to the customer's backend, by how they ended (answer, escalate, end, or a fallback reason). */
export const backendTurns = new Counter({
  name: 'switchboard_backend_turns_total',
  help: 'Turns sent to the external backend brain, by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const backendReconnects = new Counter({
  name: 'switchboard_backend_reconnects_total',
  help: 'Reconnection attempts to the external backend brain',
  registers: [registry],
});

export const backendFirstDelta = new Histogram({
  name: 'switchboard_backend_first_delta_seconds',
  help: 'Time from user_turn sent to the first reply text from the external backend',
  buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5],
  registers: [registry],
});
