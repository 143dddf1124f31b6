import { EventEmitter } from 'node:events';
import { inference, voice, type JobContext, type llm } from '@livekit/agents';
import { RoomEvent } from '@livekit/rtc-node';
import type { Redis } from 'ioredis';
import { SipClient } from 'livekit-server-sdk';
import type { SwitchboardConfig } from '../config/index.js';
import { TURN_STAGES, type TurnStage } from '../telemetry/call-events.js';
import { RECORD_FREE_SESSION_OPTIONS, type TranscriptStore } from '../privacy/index.js';
import {
  createBackendBrain,
  createLlmBrainTools,
  createRulesBrain,
  llmInstructions,
  type BackendLLM,
  type ConversationalIntent,
  type IntentInfo,
  type SessionEndReason,
} from './brains/index.js';
import type { CallState } from './call/call-state.js';
import type { CallEvents } from './call/events.js';
import type { JoinedCall } from './call/join.js';
import type { CalleeSpeech } from './callback/answering-machine.js';
import { createCallerTurns, type CallerTurnsTap } from './caller-turns.js';
import { createClassifier, type Classifier } from './classify/index.js';
import { createHelpdesk } from './helpdesk.js';
import { createMessageStore } from '../voicemail/store.js';
import { vadSilenceMs, type AgentConfig, type Language } from './config.js';
import { SwitchboardAgent } from './conversation.js';
import { audioStream } from './line-audio.js';
import {
  createCallEngines,
  createCloudEngines,
  type CallEngines,
  type OfflineParts,
} from './engines/index.js';
import {
  allowedTargets,
  createCallControl,
  type CallControl,
  type Speaker,
} from './verbs/index.js';

/** The tool's answer to the model when a target is refused; the model then offers the helpdesk. */
export const REFUSED_TOOL_OUTPUT = 'That number is not allowed. Offer the helpdesk instead.';
/** The tool's answer when the helpdesk is closed: the caller is already being offered a message. */
export const CLOSED_TOOL_OUTPUT =
  'The helpdesk is closed; the caller has been told when it opens and is leaving a message. Say nothing more.';

/** How long teardown waits for a verb in flight (a REFER awaiting its NOTIFY) to settle. */
const VERB_SETTLE_MS = 5_000;

export interface ConversationDeps {
  ctx: JobContext;
  call: JoinedCall;
  config: SwitchboardConfig;
  offline: OfflineParts;
  /** The caller's pseudonym for the backend; never the number. */
  pseudonym: string | undefined;
  /**
   * The caller's E.164 number, when known: kept in memory for a consented callback (stored only
   * encrypted, after a yes), never logged and never sent to a brain.
   */
  callerNumber: string | undefined;
  /** The call's own Redis connection (messages, the helpdesk's override). */
  redis: Redis;
  /** Writes a transcript line; never throws and never blocks the call on storage. */
  writeTranscript(write: (store: TranscriptStore) => Promise<unknown>): void;
  events: CallEvents;
  /** The agent's voice, already in the room; without it the session publishes its own. */
  output?: voice.ParticipantAudioOutput;
}

export interface Conversation {
  speaker: Speaker;
  /** The caller's voice activity (a callback's answering-machine detection listens to it). */
  callerSpeech: CalleeSpeech;
  /** Waits for verbs in flight (bounded), then closes the session, engines and backend. */
  close(): Promise<void>;
}

type TurnHandling = NonNullable<voice.AgentSessionOptions['turnHandling']>;

type BackendIntents = EventEmitter<{ intent: [ConversationalIntent, IntentInfo] }>;

/**
 * The conversation of an admitted call, built in order: brain and engines → session → call
 * control → the caller's inputs → the agent, started in the room. Built only after admission, so
 * a refused call costs no vendor money.
 */
export async function startConversation(deps: ConversationDeps): Promise<Conversation> {
  const { ctx, call, config } = deps;
  const { state, logger } = call;
  const agentConfig = config.agent;

  // The backend reports intents as it answers; call control takes them once it exists.
  const backendIntents: BackendIntents = new EventEmitter();
  const backend = createBackend(deps, backendIntents);
  const engines = createCallEngines(config, state.language, deps.offline);
  call.mark('engines');
  const session = createSession(agentConfig, engines, backend);
  if (deps.output) session.output.audio = deps.output;
  const speaker = speakerOf(session);
  const classifier = createClassifier(agentConfig.classifier);
  const turns = createCallerTurns();
  const control = createCallControl({
    call: state,
    config: agentConfig,
    speaker,
    sip: new SipClient(config.livekit.url, config.livekit.apiKey, config.livekit.apiSecret),
    roomName: ctx.room.name!,
    callerIdentity: call.caller.identity,
    allowedTargets: allowedTargets(agentConfig.handoff, agentConfig.emergency.target),
    logger,
    events: deps.events,
    helpdesk: createHelpdesk(config, deps.redis, logger),
    voicemail: {
      config: config.voicemail,
      store: createMessageStore({
        redis: deps.redis,
        privacy: config.privacy,
        voicemail: config.voicemail,
        logger,
      }),
      turns,
      consent: classifier.consent,
      caller: { pseudonym: deps.pseudonym, number: deps.callerNumber },
    },
  });
  // Preemptive generations reach the backend as speculative turns (protocol v2), committed or
  // discarded; words the classifier acts on at the commit, and a message being taken, are never
  // sent to it.
  backend?.followCommits(session, {
    handledByAgent: (text) =>
      turns.listener !== undefined || classifier.classify(text, state.language) !== undefined,
  });
  const timing = turnTiming(call, deps.events, vadSilenceMs(agentConfig));
  const stopListening = listenToCall({
    deps,
    session,
    control,
    classifier,
    backendIntents,
    timing,
    turns,
  });

  const agent = new SwitchboardAgent({
    instructions:
      agentConfig.brain.kind === 'llm'
        ? llmInstructions(agentConfig.brain.llm, state.language)
        : '',
    call: state,
    classifier,
    control,
    speaker,
    turns,
    rules:
      agentConfig.brain.kind === 'rules' ? createRulesBrain(agentConfig.brain.rules) : undefined,
    tools: agentConfig.brain.kind === 'llm' ? llmTools(control) : undefined,
    onCallerTurn: (text) => {
      timing.committed();
      deps.writeTranscript((store) => store.addTurn(state.callId, turn(state, 'caller', text)));
    },
    onLanguage: (language: Language) => {
      logger.info({ event: 'language', language }, 'caller language changed');
      deps.events.emit({ type: 'language', language });
      state.language = language;
      engines.setLanguage(language);
      backend?.setLanguage(language);
    },
  });
  await session.start({
    agent,
    room: ctx.room,
    inputOptions: { participantIdentity: call.caller.identity },
    outputOptions: { audioEnabled: !deps.output },
    ...RECORD_FREE_SESSION_OPTIONS,
  });
  call.mark('sessionStarted');

  return {
    speaker,
    callerSpeech: {
      onSpeaking: (listener) =>
        session.on(voice.AgentSessionEventTypes.UserStateChanged, ({ newState }) => {
          if (newState === 'speaking') listener();
        }),
      onSilent: (listener) =>
        session.on(voice.AgentSessionEventTypes.UserStateChanged, ({ oldState, newState }) => {
          if (oldState === 'speaking' && newState === 'listening') listener();
        }),
    },
    async close() {
      stopListening();
      await Promise.race([
        control.settled(),
        new Promise((resolve) => setTimeout(resolve, VERB_SETTLE_MS).unref()),
      ]);
      await session.close();
      await engines.close();
      if (backend) {
        await backend.end(backendEndReason(state));
        await backend.aclose();
      }
    },
  };
}

function createBackend(deps: ConversationDeps, intents: BackendIntents): BackendLLM | undefined {
  const { brain } = deps.config.agent;
  if (brain.kind !== 'backend') return undefined;
  const { state, logger } = deps.call;
  return createBackendBrain({
    config: brain.backend,
    callId: state.callId,
    caller: deps.pseudonym ?? null,
    language: state.language,
    logger,
    onIntent: (intent, info) => intents.emit('intent', intent, info),
    telemetry: {
      turn: (outcome) => deps.events.emit({ type: 'backend_turn', outcome }),
      reconnect: () => deps.events.emit({ type: 'backend_reconnect' }),
      firstDelta: (seconds) => deps.events.emit({ type: 'backend_first_delta', seconds }),
    },
  });
}

/**
 * Runs the conversation's code once, roomless, before the call rings (in prewarm, at the lowest
 * priority). A job process serves one call, so otherwise the call paid for every first run: in the
 * call bench, building the engines and starting the session took 35-70 ms less at the median once
 * warmed (bench/README.md, M7). It opens no connection and costs no vendor money: no
 * recogniser, voice or model in the session, and the configured cloud plugins are only constructed.
 */
export async function warmUpConversation(
  config: SwitchboardConfig,
  offline: OfflineParts,
): Promise<void> {
  const cloud = createCloudEngines(config.agent, { language: config.agent.language });
  const session = createSession(config.agent, { vad: offline.vad }, undefined);
  try {
    await session.start({
      agent: new voice.Agent({ instructions: '' }),
      ...RECORD_FREE_SESSION_OPTIONS,
    });
  } finally {
    await session.close();
    await cloud.tts?.close();
  }
}

function createSession(
  agentConfig: AgentConfig,
  engines: Pick<CallEngines, 'vad'> & Partial<Pick<CallEngines, 'stt' | 'tts' | 'llm'>>,
  backend: BackendLLM | undefined,
): voice.AgentSession {
  return new voice.AgentSession({
    stt: engines.stt,
    tts: engines.tts,
    llm: backend ?? engines.llm,
    vad: engines.vad,
    // agents-js ignores (and discards) a caller's speech during the agent's first 3 s of speech on
    // an inbound SIP call, for echo cancellation to settle: the greeting could not be interrupted
    // and a caller talking over it was not heard at all. A phone line's echo is cancelled by the
    // carrier and the handset; a false interruption resumes the line (resumeFalseInterruption).
    aecWarmupDuration: 0,
    // Explicit, so no cloud turn detector or interruption model is picked behind our back.
    turnHandling: {
      ...endOfTurn(agentConfig),
      // Heard over any interruptible line, the greeting included (see aecWarmupDuration).
      interruption: { enabled: true, mode: 'vad', minDuration: agentConfig.bargeInMs },
      // For the backend brain too: a preemptive generation goes out as a speculative turn whose
      // intent acts only once committed (protocol v2); a v1 backend gets the turn only then.
      preemptiveGeneration: { enabled: true, preemptiveTts: true },
    },
  });
}

/** The turn detector and endpointing window `agent.endOfTurn` asks for (see its doc). */
function endOfTurn(agentConfig: AgentConfig): Pick<TurnHandling, 'turnDetection' | 'endpointing'> {
  const { detector, minDelayMs, maxDelayMs, threshold } = agentConfig.endOfTurn;
  if (detector === 'vad') {
    const { endpointingMs } = agentConfig;
    return {
      turnDetection: 'vad',
      endpointing: { mode: 'fixed', minDelay: endpointingMs, maxDelay: endpointingMs * 4 },
    };
  }
  return {
    // Explicitly the local model: without a version, agents-js picks its cloud model when it
    // finds LiveKit Cloud credentials.
    turnDetection: new inference.TurnDetector({
      version: 'v1-mini',
      ...(threshold !== undefined ? { unlikelyThreshold: threshold } : {}),
    }),
    endpointing: { mode: 'fixed', minDelay: minDelayMs, maxDelay: maxDelayMs },
  };
}

function speakerOf(session: voice.AgentSession): Speaker {
  return {
    say: (text, opts) =>
      session.say(text, {
        allowInterruptions: opts?.interruptible ?? true,
        ...(opts?.audio ? { audio: audioStream(opts.audio) } : {}),
      }),
    interrupt: async () => {
      // A safety line (the 112 instruction, a hand-off announcement) refuses to be interrupted;
      // the verb's own line then simply follows it.
      try {
        await session.interrupt().await;
      } catch {
        // Thrown synchronously by the uninterruptible speech handle.
      }
    },
  };
}

/** The LLM's tools; what they ask for goes through call control like any other trigger. */
function llmTools(control: CallControl): llm.ToolContextLike {
  return createLlmBrainTools({
    onTransfer: async (target) => {
      const result = await control.handoff({ target, reason: 'llm tool' });
      if (result === 'refused') return REFUSED_TOOL_OUTPUT;
      return result === 'closed' ? CLOSED_TOOL_OUTPUT : undefined;
    },
    onEndCall: () => control.start('GOODBYE', 'llm tool'),
  });
}

/**
 * Inputs beside the caller's speech: DTMF and backend intents go to call control, and the agent's
 * lines to the transcript. Returns what stops listening.
 */
function listenToCall(opts: {
  deps: ConversationDeps;
  session: voice.AgentSession;
  control: CallControl;
  classifier: Classifier;
  backendIntents: BackendIntents;
  timing: TurnTiming;
  turns: CallerTurnsTap;
}): () => void {
  const { deps, session, control, classifier, backendIntents, timing, turns } = opts;
  const { ctx, call } = deps;
  backendIntents.on('intent', (intent, info) => {
    if (intent === 'escalate')
      void control
        .handoff({ target: info.transferTarget, reason: 'backend escalate' })
        .catch(() => undefined);
    if (intent === 'end') control.start('GOODBYE', 'backend end');
  });
  const onDtmf = (_code: number, digit: string, participant?: { identity: string }) => {
    if (participant?.identity !== call.caller.identity) return;
    const intent = classifier.classifyDtmf(digit);
    // While a message is taken, only an emergency key acts.
    if (!intent || (turns.listener && intent !== 'EMERGENCY')) return;
    turns.cancel();
    control.start(intent, 'dtmf');
  };
  ctx.room.on(RoomEvent.DtmfReceived, onDtmf);
  session.on(voice.AgentSessionEventTypes.AgentStateChanged, ({ newState }) => {
    if (newState === 'speaking') timing.speaking();
  });
  session.on(voice.AgentSessionEventTypes.UserStateChanged, ({ oldState, newState }) => {
    if (newState === 'speaking') turns.listener?.speaking();
    if (oldState === 'speaking' && newState === 'listening') {
      timing.callerStopped();
      turns.listener?.silent();
    }
  });
  session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
    if (item.type !== 'message') return;
    if (item.role === 'user') timing.callerMessage(item.metrics);
    if (item.role !== 'assistant') return;
    timing.replied(item.metrics);
    if (!item.textContent) return;
    const text = item.textContent;
    deps.writeTranscript((store) =>
      store.addTurn(call.state.callId, turn(call.state, 'agent', text)),
    );
  });
  return () => {
    ctx.room.off(RoomEvent.DtmfReceived, onDtmf);
    backendIntents.removeAllListeners();
  };
}

/**
 * The call's timing: when the opening line started playing, and each reply's stages, in seconds.
 * A turn runs from the caller's last speech (the VAD's end of speech, which fires `silenceMs`
 * after it) through its commit (our `onUserTurnCompleted`: end-of-turn delay, transcription
 * included) to the agent starting to speak (the turn gap). A reply from the session's LLM also
 * carries agents-js's own figures (LLM first token, TTS first byte, and its turn gap, taken
 * from the same VAD timestamp); the rules brain and the verbs answer by `say`, which has none.
 */
function turnTiming(call: JoinedCall, events: CallEvents, silenceMs: number) {
  let greeted = false;
  let transcriptionDelay: number | undefined;
  let callerStoppedAt: number | undefined;
  let committedAt: number | undefined;
  let reply: Partial<Record<TurnStage, number>> | undefined;
  return {
    callerStopped() {
      callerStoppedAt = Date.now() - silenceMs;
    },
    committed() {
      committedAt = Date.now();
    },
    /** Only a turn the session's LLM answers reaches the chat (the others stop in our agent). */
    callerMessage(metrics: llm.MetricsReport) {
      transcriptionDelay = metrics.transcriptionDelay;
    },
    speaking() {
      if (!greeted) {
        greeted = true;
        call.mark('speaking');
        const { active, speaking } = call.stages;
        if (active !== undefined && speaking !== undefined) {
          events.emit({ type: 'greeted', seconds: (speaking - active) / 1000 });
        }
      }
      if (committedAt === undefined || callerStoppedAt === undefined) return;
      const now = Date.now();
      reply = {
        end_of_turn: (committedAt - callerStoppedAt) / 1000,
        agent_internal: (now - committedAt) / 1000,
        turn_gap: (now - callerStoppedAt) / 1000,
      };
      committedAt = undefined;
    },
    /** The reply's message arrives once it has played: the turn is complete. */
    replied(metrics: llm.MetricsReport) {
      if (!reply) return;
      const stages: Partial<Record<TurnStage, number>> = {
        ...reply,
        stt: transcriptionDelay,
        llm_first_token: metrics.llmNodeTtft,
        tts_first_byte: metrics.ttsNodeTtfb,
        turn_gap: metrics.e2eLatency ?? reply.turn_gap,
      };
      for (const stage of TURN_STAGES) {
        const value = stages[stage];
        if (value === undefined || !Number.isFinite(value) || value < 0) delete stages[stage];
      }
      events.emit({ type: 'turn', stages });
      reply = undefined;
      transcriptionDelay = undefined;
    },
  };
}

type TurnTiming = ReturnType<typeof turnTiming>;

function turn(state: CallState, role: 'caller' | 'agent', text: string) {
  return { role, text, language: state.language, at: Date.now() };
}

function backendEndReason(state: CallState): SessionEndReason {
  if (state.outcome === 'transferred') return 'transferred';
  return state.endReason === 'hangup' ? 'hangup' : 'ended';
}
