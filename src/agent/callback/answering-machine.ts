/**
 * Who answered a callback, from the callee's first speech alone: a person says a short "hello?"
 * and waits; a voicemail greeting talks on. This is the heuristic half of agents-js 1.9's AMD
 * (`voice/amd.js`: a greeting of at most 2.5 s followed by 0.5 s of silence is a person); its
 * other half asks an LLM about the transcript, and AMD throws without one ("AMD: no LLM
 * available"), which the offline rules brain does not have. Silence is `uncertain`: the agent
 * speaks then, as it would to a person who picks up without a word.
 */
export type AnsweredBy = 'human' | 'machine' | 'uncertain';

export interface AnsweringMachineOptions {
  /** No speech within this long after the answer: `uncertain`. */
  noSpeechMs?: number;
  /** Speech longer than this is a recorded greeting. */
  humanSpeechMs?: number;
  /** Silence after a short greeting that settles it as a person. */
  humanSilenceMs?: number;
}

/** The callee's voice activity, as the session's VAD reports it. */
export interface CalleeSpeech {
  onSpeaking(listener: () => void): void;
  onSilent(listener: () => void): void;
}

export function detectAnsweringMachine(
  speech: CalleeSpeech,
  opts: AnsweringMachineOptions = {},
): Promise<AnsweredBy> {
  const noSpeechMs = opts.noSpeechMs ?? 3_000;
  const humanSpeechMs = opts.humanSpeechMs ?? 2_500;
  const humanSilenceMs = opts.humanSilenceMs ?? 500;
  return new Promise((resolve) => {
    let settled = false;
    let speechStartedAt: number | undefined;
    let timer = setTimeout(() => settle('uncertain'), noSpeechMs);
    function settle(verdict: AnsweredBy) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(verdict);
    }
    speech.onSpeaking(() => {
      if (settled) return;
      clearTimeout(timer);
      speechStartedAt ??= Date.now();
      const spoken = Date.now() - speechStartedAt;
      timer = setTimeout(() => settle('machine'), Math.max(0, humanSpeechMs - spoken));
    });
    speech.onSilent(() => {
      if (settled || speechStartedAt === undefined) return;
      clearTimeout(timer);
      if (Date.now() - speechStartedAt > humanSpeechMs) {
        settle('machine');
        return;
      }
      timer = setTimeout(() => settle('human'), humanSilenceMs);
    });
  });
}
