import { voice, type llm } from '@livekit/agents';
import type { RulesBrain } from './brains/rules.js';
import type { Classifier, TerminalIntent } from './classify/index.js';
import type { Language } from './config.js';

export interface TurnHandlers {
  /** The call's language so far; the classifier and the caller's transcripts move it. */
  language(): Language;
  setLanguage(language: Language): void;
  onCallerTurn(text: string): void;
  /** A terminal intent: emergency, hand-off or goodbye. Never waits on a brain. */
  onTerminal(intent: TerminalIntent): Promise<void>;
  say(text: string): void;
}

export interface SwitchboardAgentOptions {
  instructions: string;
  classifier: Classifier;
  /** The offline brain answers here; for llm and backend, the session's LLM answers. */
  rules?: RulesBrain;
  tools?: llm.ToolContext;
  handlers: TurnHandlers;
}

/**
 * Runs the deterministic classifier on every final caller turn before any brain sees it. A
 * terminal intent or a rules answer stops the LLM from replying to that turn.
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
    const { classifier, handlers, rules } = this.#opts;
    const text = message.textContent ?? '';
    if (!text.trim()) throw new voice.StopResponse();
    handlers.onCallerTurn(text);
    const match = classifier.classify(text, handlers.language());
    if (match) {
      handlers.setLanguage(match.language);
      await handlers.onTerminal(match.intent);
      throw new voice.StopResponse();
    }
    if (rules) {
      handlers.say(rules.answer(text, handlers.language()).text);
      throw new voice.StopResponse();
    }
  }
}
