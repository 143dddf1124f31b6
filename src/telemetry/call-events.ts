/**
 * Call events: what a job process tells the control plane about its call, on a capped Redis
 * stream every worker already reaches. They carry the call id, the caller's pseudonym and the
 * trunk id, and otherwise only codes and durations: never a number, never transcript text.
 */

/** Bumped when an event's meaning changes; the control plane skips versions it does not know. */
export const CALL_EVENTS_VERSION = 1;

/** The stream, per deployment: several deployments may share one Redis. */
export const callEventsStream = (deployment: string) => `switchboard:${deployment}:call-events`;

/**
 * Stages of one conversational turn, in seconds: `end_of_turn` (caller's last speech → turn
 * committed), `stt`, `llm_first_token`, `tts_first_byte` (session LLM only), `agent_internal`
 * (turn committed → the agent starts speaking: the agent's own share) and `turn_gap` (caller's
 * last speech → the agent starts speaking).
 */
export const TURN_STAGES = [
  'end_of_turn',
  'stt',
  'llm_first_token',
  'tts_first_byte',
  'agent_internal',
  'turn_gap',
] as const;
export type TurnStage = (typeof TURN_STAGES)[number];

/** Where a call stands, as the console shows it. */
export type LiveState = 'ringing' | 'active' | 'transferring';

export type CallEventBody =
  /** The job took the call (recovery > 0: a fresh agent for a call that lost its own). */
  | { type: 'started'; language: string; recovery: number }
  /** Admission's decision and the time it took. */
  | { type: 'admission'; result: string; seconds: number }
  /** An admission Redis operation failed or timed out. */
  | { type: 'redis_failure'; operation: string }
  /** The caller's leg became active: seconds since the job started. */
  | { type: 'answered'; seconds: number }
  /** The opening line started playing: seconds since the leg became active. */
  | { type: 'greeted'; seconds: number }
  /** One turn's stages that agents-js measured (absent ones were not measured). */
  | { type: 'turn'; stages: Partial<Record<TurnStage, number>> }
  | { type: 'language'; language: string }
  | { type: 'emergency' }
  /** A REFER started (`result` absent) or finished. */
  | { type: 'transfer'; reason: string; result?: string }
  | { type: 'backend_turn'; outcome: string }
  | { type: 'backend_reconnect' }
  | { type: 'backend_first_delta'; seconds: number }
  /** A message was stored (its id lets the control plane push it to the helpdesk's webhook). */
  | { type: 'message'; messageId: string; reason: string; callback: boolean }
  /** A callback reached the callee: `human` or `machine` (answering-machine detection). */
  | { type: 'callback'; messageId: string; result: string }
  /** The call is over; `outcome` as stored with the transcript, `failure` a code. */
  | { type: 'ended'; outcome: string; failure?: string; seconds: number };

export type CallEventType = CallEventBody['type'];

export type CallEvent = CallEventBody & {
  v: typeof CALL_EVENTS_VERSION;
  callId: string;
  /** The caller's pseudonym once admission derived it; never the number. */
  pseudonym?: string;
  /** LiveKit's inbound trunk id (`ST_…`); the control plane turns it into the trunk's name. */
  trunkId?: string;
  /** Milliseconds since the epoch, at the job. */
  at: number;
};

/** A call in progress, as the control plane knows it from the events. */
export interface LiveCall {
  callId: string;
  pseudonym?: string;
  trunk: string;
  language: string;
  state: LiveState;
  /** Milliseconds since the epoch. */
  startedAt: number;
}

/** One turn's stages, kept for the console's latency chart. */
export interface LatencySample {
  at: number;
  stages: Partial<Record<TurnStage, number>>;
}

/** What the control plane knows from the events, for the console. */
export interface CallEventsView {
  liveCalls(): LiveCall[];
  /** The most recent turns' stages, oldest first (bounded). */
  latencySamples(): LatencySample[];
}
