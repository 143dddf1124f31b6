/** A moment, as a Date or milliseconds since the epoch. */
export type Instant = Date | number;

export type CallOutcome =
  | 'answered'
  | 'transferred'
  | 'rejected:rate_limited'
  | 'rejected:over_capacity'
  | 'rejected:error'
  | 'voicemail'
  | 'callback:machine'
  | 'failed'
  | `rejected:${string}`;

export interface StartCall {
  /** `sip.callID` (`SCL_…`); never the room name, which can contain the number. */
  callId: string;
  /** The caller's pseudonym; undefined for a withheld number (the call is then not indexed by caller). */
  pseudonym: string | undefined;
  trunkId?: string;
  language: string;
  startedAt: Instant;
}

export interface Turn {
  role: 'caller' | 'agent';
  text: string;
  language: string;
  at: Instant;
}

export interface FinishCall {
  outcome: CallOutcome;
  /** Where the call was transferred; stored with its digits masked except the last three. */
  transferTarget?: string;
  /** Why the call failed, when its outcome is `failed`: a code such as `never_active`. */
  failure?: string;
  endedAt: Instant;
}

/** A stored turn, as export and the console show it. */
export interface StoredTurn {
  role: 'caller' | 'agent';
  text: string;
  language: string;
  at: string;
}

/** One call's transcript, as `privacy export` prints it. Times are ISO 8601. */
export interface CallTranscript {
  callId: string;
  pseudonym: string | null;
  trunkId: string | null;
  language: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  outcome: string | null;
  transferTarget: string | null;
  /** Why the call failed, when its outcome is `failed`. */
  failure: string | null;
  /** When Redis deletes this transcript, unless the call is written to again. */
  expiresAt: string | null;
  turns: StoredTurn[];
}

/** One row of the operator console's recent calls. */
export interface RecentCall {
  callId: string;
  pseudonym: string | null;
  outcome: string | null;
  startedAt: string;
  durationMs: number | null;
  expiresAt: string | null;
}
