import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from './metrics.js';

/**
 * Every call's figures, on the control plane's registry, fed by the job processes' call events
 * (call-events-consumer.ts): job processes keep no metrics of their own. Labels are bounded: the
 * trunk's name, an outcome, a reason or result code, a language, a stage. Never a pseudonym.
 */

const SECONDS_FAST = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SECONDS_CALL = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20];

export const callsStarted = new Counter({
  name: 'switchboard_calls_started_total',
  help: 'Calls a job took, by trunk (recovered calls are not counted again)',
  labelNames: ['trunk'] as const,
  registers: [registry],
});

export const callsEnded = new Counter({
  name: 'switchboard_calls_total',
  help: 'Calls that ended, by trunk, outcome and the caller language at the end',
  labelNames: ['trunk', 'outcome', 'language'] as const,
  registers: [registry],
});

export const callFailures = new Counter({
  name: 'switchboard_call_failures_total',
  help: 'Calls that ended failed, by failure code',
  labelNames: ['trunk', 'failure'] as const,
  registers: [registry],
});

export const callsActive = new Gauge({
  name: 'switchboard_calls_active',
  help: 'Calls in progress, by trunk and state',
  labelNames: ['trunk', 'state'] as const,
  registers: [registry],
});

export const admissionDecisions = new Counter({
  name: 'switchboard_admission_decisions_total',
  help: 'Admission decisions by trunk and result',
  labelNames: ['trunk', 'result'] as const,
  registers: [registry],
});

export const admissionDecisionSeconds = new Histogram({
  name: 'switchboard_admission_decision_seconds',
  help: 'Time to reach an admission decision, Redis round trips included',
  labelNames: ['result'] as const,
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1],
  registers: [registry],
});

export const admissionRedisFailures = new Counter({
  name: 'switchboard_admission_redis_failures_total',
  help: 'Admission Redis operations that failed or timed out, by operation',
  labelNames: ['operation'] as const,
  registers: [registry],
});

export const transfers = new Counter({
  name: 'switchboard_transfers_total',
  help: 'Hand-offs by SIP REFER, by trunk, why (handoff, emergency, recovery) and result',
  labelNames: ['trunk', 'reason', 'result'] as const,
  registers: [registry],
});

export const emergencies = new Counter({
  name: 'switchboard_emergency_detections_total',
  help: 'Emergencies detected in calls, by trunk and language',
  labelNames: ['trunk', 'language'] as const,
  registers: [registry],
});

export const voicemailMessages = new Counter({
  name: 'switchboard_voicemail_messages_total',
  help: 'Messages taken (text only), by trunk, why (closed, transfer_failed, caller_asked) and whether the caller asked for a callback',
  labelNames: ['trunk', 'reason', 'callback'] as const,
  registers: [registry],
});

export const callbacks = new Counter({
  name: 'switchboard_callbacks_total',
  help: 'Callbacks answered, by who answered (human, machine)',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const answerSeconds = new Histogram({
  name: 'switchboard_call_answer_seconds',
  help: 'Time from the job taking the call to the caller leg being active',
  labelNames: ['trunk'] as const,
  buckets: SECONDS_CALL,
  registers: [registry],
});

export const greetingSeconds = new Histogram({
  name: 'switchboard_call_greeting_seconds',
  help: 'Time from the caller leg being active to the opening line starting to play',
  labelNames: ['trunk'] as const,
  buckets: SECONDS_CALL,
  registers: [registry],
});

export const turnStageSeconds = new Histogram({
  name: 'switchboard_turn_stage_seconds',
  help: 'One turn, by stage: end_of_turn delay, stt, llm_first_token, tts_first_byte, agent_internal (commit to speaking) and turn_gap (end of speech to speaking)',
  labelNames: ['stage'] as const,
  buckets: [...SECONDS_FAST, 0.75, 1.5, 2, 3, 5],
  registers: [registry],
});

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

export const callEventsRead = new Counter({
  name: 'switchboard_call_events_total',
  help: 'Call events the control plane read from the stream, by type',
  labelNames: ['type'] as const,
  registers: [registry],
});

export const callEventsStreamErrors = new Counter({
  name: 'switchboard_call_events_stream_errors_total',
  help: 'Failed reads of the call-event stream (Redis away); the reader retries',
  registers: [registry],
});

export const callRecoveries = new Counter({
  name: 'switchboard_call_recoveries_total',
  help: 'Calls whose agent was lost, by what the control plane did: redispatched, handed_off, failed',
  labelNames: ['action'] as const,
  registers: [registry],
});
