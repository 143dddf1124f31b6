import type { Logger } from '../../telemetry/index.js';
import type { Language } from '../config.js';
import type { ConversationalIntent } from './backend-protocol.js';

export type BackendState =
  'idle' | 'connecting' | 'ready' | 'reconnecting' | 'unauthorized' | 'closed';
export type StartResult = 'ready' | 'unavailable' | 'unauthorized';
/** Why a turn produced no (complete) answer. */
export type TurnFailure = 'timeout' | 'unavailable' | 'unauthorized' | 'interrupted' | 'error';
export type TurnOutcome =
  | { status: 'ok'; intent: ConversationalIntent; transferTarget?: string }
  /** `cancelled`: a committed turn was cut short; `discarded`: a speculative one was thrown away. */
  | { status: TurnFailure | 'cancelled' | 'discarded' };
export type TurnResult = TurnOutcome & { turnId: string; deltas: number };

export interface BackendClientOptions {
  url: string;
  token: string;
  callId: string;
  /** The caller's pseudonym, or null when the number is withheld. */
  caller: string | null;
  language: Language;
  connectTimeoutMs: number;
  turnTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number; multiplier: number };
  logger: Logger;
  /** Heartbeat: a ping this often; no pong by the next one means the link is dead. */
  pingIntervalMs?: number;
  telemetry?: BackendTelemetry;
}

/** Where the backend brain reports its figures: the job sends them on as call events. */
export interface BackendTelemetry {
  /** A turn ended: the backend's intent, `cancelled`, `discarded`, or the failure that replaced its reply. */
  turn(outcome: string): void;
  reconnect(): void;
  /** From user_turn sent to the first reply text. */
  firstDelta(seconds: number): void;
}

export interface TurnRequest {
  text: string;
  language: Language;
  onDelta(text: string, turnId: string): void;
  signal?: AbortSignal;
  /**
   * Set for a speculative turn (a provisional transcript): resolves true when the turn is
   * committed, false when another turn was committed instead. Until it resolves true the turn
   * reports no outcome, so no intent can act on it; an abort or false discards it.
   */
  commit?: Promise<boolean>;
  /** A speculative turn the backend must not see before its commit, whatever the version. */
  holdUntilCommit?: boolean;
}
