import type { TerminalIntent } from '../classify/index.js';
import { emergency } from './emergency.js';
import { goodbye } from './goodbye.js';
import { handoff, type HandoffRequest } from './handoff.js';
import { hours } from './hours.js';
import { takeMessage } from './voicemail.js';
import type { VerbContext } from './types.js';
import type { TransferResult } from '../call/call-state.js';

export { reject, type RejectContext } from './reject.js';
export { allowedTargets, canonical, transferCall, type TransferDeps } from './transfer.js';
export type { HandoffRequest } from './handoff.js';
export type {
  CallerTurns,
  Helpdesk,
  Speaker,
  TurnListener,
  Utterance,
  VerbContext,
} from './types.js';

/** The verb each terminal intent runs; `source` says who asked (classifier, DTMF, LLM, backend). */
const TERMINAL_VERBS: Record<
  TerminalIntent,
  (ctx: VerbContext, source: string) => Promise<unknown>
> = {
  EMERGENCY: (ctx) => emergency(ctx),
  HANDOFF_REQUEST: (ctx, source) => handoff(ctx, { reason: source }),
  GOODBYE: (ctx) => goodbye(ctx),
  HOURS_QUESTION: (ctx) => hours(ctx),
  LEAVE_MESSAGE: (ctx) => takeMessage(ctx, 'caller_asked'),
};

/**
 * Call control: the one way anything (classifier, DTMF, LLM tool, backend intent) acts on a call.
 * Every verb's promise is observed: a failure is logged with the verb's name, never lost.
 */
export interface CallControl {
  /** Stops the current utterance, then runs the intent's verb. */
  terminal(intent: TerminalIntent, source: string): Promise<void>;
  handoff(request: HandoffRequest): Promise<TransferResult>;
  /** For event handlers that cannot await: the verb runs and a failure is logged, as in `terminal`. */
  start(intent: TerminalIntent, source: string): void;
  /** Resolves when every verb started so far has settled. */
  settled(): Promise<void>;
}

export function createCallControl(ctx: VerbContext): CallControl {
  const running = new Set<Promise<unknown>>();
  const observe = <T>(verb: string, work: Promise<T>): Promise<T> => {
    const observed = work.catch((err: unknown) => {
      ctx.logger.error(
        { event: 'verb_failed', verb, err: err instanceof Error ? err.message : String(err) },
        'call-control verb failed',
      );
      throw err;
    });
    const tracked = observed.catch(() => undefined);
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
    return observed;
  };
  const terminal = async (intent: TerminalIntent, source: string) => {
    await ctx.speaker.interrupt();
    await TERMINAL_VERBS[intent](ctx, source);
  };
  const control: CallControl = {
    // A failed verb is logged by `observe`; the turn that triggered it goes on.
    terminal: (intent, source) => observe(intent, terminal(intent, source)).catch(() => undefined),
    handoff: (request) => observe('HANDOFF_REQUEST', handoff(ctx, request)),
    start(intent, source) {
      void control.terminal(intent, source);
    },
    async settled() {
      await Promise.all(running);
    },
  };
  return control;
}
