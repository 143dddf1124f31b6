import type { CallOutcome } from '../../privacy/index.js';
import type { Language } from '../config.js';

/** Why the conversation stopped. */
export type EndReason = 'hangup' | 'goodbye' | 'transferred' | 'never_active' | 'failed';

/** `closed`: outside the helpdesk's opening hours, no transfer was tried. */
export type TransferResult = 'transferred' | 'refused' | 'failed' | 'closed';

/** Everything about one call that changes while it runs, in one place. */
export interface CallState {
  /** `sip.callID` (`SCL_…`): never the room name, which can hold the number. */
  readonly callId: string;
  /** The caller's language so far; the classifier moves it, and the voice and backend follow. */
  language: Language;
  outcome: CallOutcome;
  /** Why the call failed, when `outcome` is `failed`: an error class or a stage, never caller data. */
  failure?: string;
  transferTarget?: string;
  /** The REFER in flight, if any: a second trigger joins it instead of transferring twice. */
  transfer?: Promise<TransferResult>;
  /** The message being taken, if any: a second trigger joins it. */
  message?: Promise<void>;
  /** Resolves once, with the first reason the call ends for. */
  readonly ended: Promise<EndReason>;
  /** That reason, once the call has ended. */
  readonly endReason: EndReason | undefined;
  end(reason: EndReason): void;
  /** Records an escaped exception as the call's outcome. */
  fail(reason: string): void;
}

export function createCallState(callId: string, language: Language): CallState {
  let resolveEnd!: (reason: EndReason) => void;
  let endReason: EndReason | undefined;
  const ended = new Promise<EndReason>((resolve) => (resolveEnd = resolve));
  const state: CallState = {
    callId,
    language,
    outcome: 'answered',
    ended,
    get endReason() {
      return endReason;
    },
    end(reason) {
      endReason ??= reason;
      resolveEnd(reason);
    },
    fail(reason) {
      state.outcome = 'failed';
      state.failure = reason;
      state.end('failed');
    },
  };
  return state;
}
