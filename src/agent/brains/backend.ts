import { DEFAULT_API_CONNECT_OPTIONS, llm, type APIConnectOptions } from '@livekit/agents';
import type { Logger } from '../../telemetry/index.js';
import type { Language } from '../config.js';
import { BackendClient, type StartResult, type TurnFailure } from './backend-client.js';
import { TurnCommits, type ConversationEvents } from './backend-commits.js';
import type { ConversationalIntent, SessionEndReason } from './backend-protocol.js';
import type { BackendTelemetry } from './backend-types.js';
import type { BackendBrainConfig } from './config.js';

export type { ConversationalIntent, SessionEndReason } from './backend-protocol.js';
export type { StartResult, TurnFailure } from './backend-client.js';

export interface IntentInfo {
  turnId: string;
  /** Set when the caller heard the fallback sentence (or nothing) instead of the backend's reply. */
  fallback?: TurnFailure;
  /** What the backend asked for; only the hand-off code's allowlist decides where a call goes. */
  transferTarget?: string;
}

export interface BackendBrainOptions {
  config: BackendBrainConfig;
  callId: string;
  /** The caller's pseudonym (never the number), or null when withheld. */
  caller: string | null;
  language: Language;
  logger: Logger;
  /** Called once per completed turn: `escalate` asks for the hand-off, `end` for hanging up. */
  onIntent(intent: ConversationalIntent, info: IntentInfo): void;
  /** For tests. */
  pingIntervalMs?: number;
  telemetry?: BackendTelemetry;
}

/**
 * The `backend` brain as an agents-js LLM: each chat() sends the latest user message to the
 * customer's orchestrator and streams its reply back as assistant chunks, so the voice pipeline
 * (TTS, barge-in, TTFT metrics) works unchanged. One instance per call.
 *
 * Once it follows its session (`followCommits`), a chat() for a message the session has not
 * committed yet is a preemptive generation and goes out as a speculative turn: its intent acts
 * only after the commit, never after a discard. Without it every chat() counts as committed, so
 * preemptive generation must then stay off.
 */
export class BackendLLM extends llm.LLM {
  readonly client: BackendClient;
  #opts: BackendBrainOptions;
  #language: Language;
  #failures = 0;
  #commits: TurnCommits | undefined;
  #unfollow: (() => void) | undefined;
  #handledByAgent: ((text: string) => boolean) | undefined;

  constructor(opts: BackendBrainOptions) {
    super();
    const { config } = opts;
    if (!config.url || !config.token) {
      throw new Error('agent.brain.backend.url and agent.brain.backend.token are required');
    }
    this.#opts = opts;
    this.#language = opts.language;
    this.client = new BackendClient({
      url: config.url,
      token: config.token,
      callId: opts.callId,
      caller: opts.caller,
      language: opts.language,
      connectTimeoutMs: config.connectTimeoutMs,
      turnTimeoutMs: config.turnTimeoutMs,
      reconnect: config.reconnect,
      logger: opts.logger,
      ...(opts.pingIntervalMs ? { pingIntervalMs: opts.pingIntervalMs } : {}),
      ...(opts.telemetry ? { telemetry: opts.telemetry } : {}),
    });
  }

  label(): string {
    return 'switchboard.BackendLLM';
  }

  get model(): string {
    return 'backend';
  }

  get provider(): string {
    return new URL(this.#opts.config.url ?? 'ws://backend').host;
  }

  /** Opens the session. Call it once the call is admitted, so the first turn pays no connect. */
  start(): Promise<StartResult> {
    return this.client.start();
  }

  /** AgentSession prewarms its LLM when the activity starts: open the session then. */
  protected override async _prewarmImpl(signal: AbortSignal): Promise<void> {
    await Promise.race([
      this.client.start(),
      new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      ),
    ]);
  }

  /**
   * Follows the session's commits, so preemptive generations become speculative turns. Call it
   * once, with the AgentSession that uses this LLM. `handledByAgent` tells the words the agent
   * acts on itself at the commit (hand-off, emergency, goodbye phrases): those never reach the
   * backend before the commit, so the backend still never sees a turn the agent took over.
   */
  followCommits(
    session: ConversationEvents,
    opts: { handledByAgent?: (text: string) => boolean } = {},
  ): void {
    this.#unfollow?.();
    this.#handledByAgent = opts.handledByAgent;
    this.#commits = new TurnCommits();
    this.#unfollow = this.#commits.follow(session);
  }

  /** The language sent with later turns (the caller may switch). */
  setLanguage(language: Language): void {
    this.#language = language;
  }

  /** Ends the session with a reason the backend can record. */
  async end(reason: SessionEndReason): Promise<void> {
    await this.client.close(reason);
  }

  override async aclose(): Promise<void> {
    this.#unfollow?.();
    await this.client.close('hangup');
    await super.aclose();
  }

  chat({
    chatCtx,
    toolCtx,
    connOptions = DEFAULT_API_CONNECT_OPTIONS,
  }: {
    chatCtx: llm.ChatContext;
    toolCtx?: llm.ToolContextLike;
    connOptions?: APIConnectOptions;
  }): BackendLLMStream {
    return new BackendLLMStream(this, { chatCtx, toolCtx, connOptions });
  }

  /** @internal Runs one turn for a stream and decides what the caller hears. */
  async _runTurn(
    message: { text: string; id: string },
    signal: AbortSignal,
    push: (content: string, turnId: string) => void,
  ): Promise<void> {
    const pending = this.#commits?.pending(message.id);
    const result = await this.client
      .runTurn({
        text: message.text,
        language: this.#language,
        signal,
        onDelta: push,
        ...(pending ? { commit: pending.committed } : {}),
        ...(pending && this.#handledByAgent?.(message.text) ? { holdUntilCommit: true } : {}),
      })
      .finally(() => pending?.dispose());
    const { turnId } = result;
    if (result.status === 'cancelled' || result.status === 'discarded') {
      this.#opts.telemetry?.turn(result.status);
      return;
    }
    if (result.status === 'ok') {
      this.#failures = 0;
      this.#opts.telemetry?.turn(result.intent);
      this.#opts.onIntent(result.intent, {
        turnId,
        ...(result.transferTarget ? { transferTarget: result.transferTarget } : {}),
      });
      return;
    }
    this.#failures += 1;
    this.#opts.telemetry?.turn(result.status);
    if (this.#failures >= this.#opts.config.escalateAfterFailures) {
      // The human was offered already; do not make the caller ask twice.
      this.#opts.onIntent('escalate', { turnId, fallback: result.status });
      return;
    }
    const sentence = this.#opts.config.fallback[this.#language];
    push(result.deltas > 0 ? ` ${sentence}` : sentence, turnId);
    this.#opts.onIntent('answer', { turnId, fallback: result.status });
  }
}

export class BackendLLMStream extends llm.LLMStream {
  #brain: BackendLLM;

  constructor(
    brain: BackendLLM,
    opts: {
      chatCtx: llm.ChatContext;
      toolCtx?: llm.ToolContextLike;
      connOptions: APIConnectOptions;
    },
  ) {
    super(brain, opts);
    this.#brain = brain;
  }

  protected async run(): Promise<void> {
    const message = latestUserMessage(this.chatCtx);
    if (message === undefined) return;
    const signal = this.abortController.signal;
    await this.#brain._runTurn(message, signal, (content, id) => {
      if (!signal.aborted) this.queue.put({ id, delta: { role: 'assistant', content } });
    });
  }
}

function latestUserMessage(chatCtx: llm.ChatContext): { text: string; id: string } | undefined {
  for (let i = chatCtx.items.length - 1; i >= 0; i--) {
    const item = chatCtx.items[i];
    if (item?.type === 'message' && item.role === 'user') {
      return { text: item.textContent ?? '', id: item.id };
    }
  }
  return undefined;
}

/** Factory in the house style; the lead wires `onIntent` to the hand-off and hang-up code. */
export function createBackendBrain(opts: BackendBrainOptions): BackendLLM {
  return new BackendLLM(opts);
}
