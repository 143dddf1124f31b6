import type { CallerTurns, TurnListener } from './verbs/index.js';

/** The conversation's side of `CallerTurns`: who is listening, and the emergency override. */
export interface CallerTurnsTap extends CallerTurns {
  /** The verb holding the caller's turns, if any. */
  readonly listener: TurnListener | undefined;
  /** An emergency phrase: the listening verb is told to let go, and the turns go back. */
  cancel(): void;
}

export function createCallerTurns(): CallerTurnsTap {
  let current: { listener: TurnListener; cancel: () => void } | undefined;
  return {
    get listener() {
      return current?.listener;
    },
    capture(listener) {
      let cancel!: () => void;
      const cancelled = new Promise<void>((resolve) => (cancel = resolve));
      const entry = { listener, cancel };
      current = entry;
      return {
        release: () => {
          if (current === entry) current = undefined;
        },
        cancelled,
      };
    },
    cancel() {
      const entry = current;
      current = undefined;
      entry?.cancel();
    },
  };
}
