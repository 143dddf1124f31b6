import { voice, type llm } from '@livekit/agents';
import type { RulesBrain } from './brains/index.js';
import type { CallerTurnsTap } from './caller-turns.js';
import type { CallState } from './call/call-state.js';
import type { Classifier } from './classify/index.js';
import type { Language } from './config.js';
import type { CallControl, Speaker } from './verbs/index.js';

export interface SwitchboardAgentOptions {
  instructions: string;
  call: CallState;
  classifier: Classifier;
  control: CallControl;
  speaker: Speaker;
  /** A verb taking a message holds the caller's turns; only an emergency still gets through. */
  turns: CallerTurnsTap;
  /** The offline brain answers here; for llm and backend, the session's LLM answers. */
  rules?: RulesBrain;
  tools?: llm.ToolContextLike;
  /** Every final caller turn, before anything acts on it (the transcript). */
  onCallerTurn(text: string): void;
  /** The classifier heard the caller speak another language: the voice and backend follow. */
  onLanguage(language: Language): void;
}

/**
 * Runs the deterministic classifier on every final caller turn before any brain sees it. A
 * terminal intent goes to call control; it, or a rules answer, stops the LLM from replying.
 */
export class SwitchboardAgent extends voice.Agent {
  #opts: SwitchboardAgentOptions;

  constructor(opts: SwitchboardAgentOptions) {
    super({ instructions: opts.instructions, tools: opts.tools });
    this.#opts = opts;
  }

  override async onUserTurnCompleted(
    _chatCtx: llm.ChatContext,
    message: llm.ChatMessage,
  ): Promise<void> {
    const { call, classifier, control, rules, speaker, turns } = this.#opts;
    const text = message.textContent ?? '';
    if (!text.trim()) throw new voice.StopResponse();
    this.#opts.onCallerTurn(text);
    const match = classifier.classify(text, call.language);
    const listener = turns.listener;
    if (listener) {
      if (match?.intent === 'EMERGENCY') {
        turns.cancel();
        await control.terminal('EMERGENCY', 'caller asked');
      } else {
        listener.turn(text);
      }
      throw new voice.StopResponse();
    }
    if (match) {
      if (match.language !== call.language) this.#opts.onLanguage(match.language);
      await control.terminal(match.intent, 'caller asked');
      throw new voice.StopResponse();
    }
    if (rules) {
      speaker.say(rules.answer(text, call.language).text);
      throw new voice.StopResponse();
    }
  }
}
