import { ReadableStream } from 'node:stream/web';
import { defineAgent, voice, type JobContext } from '@livekit/agents';
import { RoomEvent, type AudioFrame } from '@livekit/rtc-node';
import { Redis } from 'ioredis';
import { SipClient } from 'livekit-server-sdk';
import {
  createAdmission,
  pseudonymizerFromConfig,
  type Pseudonymizer,
} from '../admission/index.js';
import { loadConfig, type SwitchboardConfig } from '../config/index.js';
import { CALLER_FROM_ATTRIBUTE } from '../provisioning/index.js';
import { createLogger, type Logger } from '../telemetry/index.js';
import {
  createTranscriptStore,
  RECORD_FREE_SESSION_OPTIONS,
  type CallOutcome,
} from '../privacy/index.js';
import { createBackendBrain } from './brains/backend.js';
import { createLlmBrainTools, llmInstructions } from './brains/llm.js';
import { createRulesBrain } from './brains/rules.js';
import { createClassifier, type TerminalIntent } from './classify/index.js';
import type { Language } from './config.js';
import { SwitchboardAgent } from './conversation.js';
import {
  createCallEngines,
  EspeakTTS,
  prepareOfflineParts,
  type OfflineParts,
} from './engines/index.js';
import { allowedTargets, canonical, transferCall } from './handoff.js';
import {
  languageForNumber,
  rejectionFor,
  synthesizeRejections,
  type RejectionAudio,
} from './rejection-audio.js';
import {
  callerNumber,
  SIP_ATTR,
  waitForCallActive,
  waitForHangup,
  waitForSipParticipant,
} from './sip-participant.js';

/** How long the caller's leg may ring before we give up on it becoming active. */
const ACTIVE_TIMEOUT_MS = 20_000;

interface ProcessData extends Record<string, unknown> {
  config: SwitchboardConfig;
  logger: Logger;
  pseudonymizer: Pseudonymizer;
  rejections: RejectionAudio;
  /** The VAD and the offline recogniser's grammar, built before the call rings. */
  offline: OfflineParts;
}

/** Prewarm: only work that holds no connection, so an idle process exits when the worker drains. */
async function prepareProcess(data: Partial<ProcessData>): Promise<ProcessData> {
  if (data.rejections) return data as ProcessData;
  const config = loadConfig().config;
  const logger = createLogger({ name: 'agent-job', level: config.agent.logLevel });
  Object.assign(data, {
    config,
    logger,
    pseudonymizer: pseudonymizerFromConfig(config.admission),
    rejections: await synthesizeRejections(
      config.admission,
      config.agent.engines.tts.offline.voices,
    ),
    offline: await prepareOfflineParts(config, logger),
  });
  return data as ProcessData;
}

function audioStream(frames: AudioFrame[]): ReadableStream<AudioFrame> {
  return new ReadableStream({
    start(controller) {
      for (const frame of frames) controller.enqueue(frame);
      controller.close();
    },
  });
}

/** One call: runs in its own job process, forked by the worker. */
export default defineAgent<ProcessData>({
  prewarm: async (proc) => {
    await prepareProcess(proc.userData);
  },
  entry: async (ctx: JobContext<ProcessData>) => {
    const shared = await prepareProcess(ctx.proc.userData);
    const { config, rejections, pseudonymizer } = shared;
    // One connection per call, closed when the call ends.
    const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    const admission = createAdmission({
      redis,
      config: config.admission,
      pseudonymizer,
      logger: shared.logger,
    });
    const transcripts = createTranscriptStore({
      redis,
      config: config.privacy,
      logger: shared.logger,
      pseudonymizer,
    });
    const agentConfig = config.agent;
    // Milliseconds since the job started, per stage: where call set-up time goes.
    const jobStart = Date.now();
    const stages: Record<string, number> = {};
    const mark = (stage: string) => (stages[stage] = Date.now() - jobStart);
    await ctx.connect();
    mark('connected');
    const caller = await waitForSipParticipant(ctx.room);
    mark('participant');
    const callId = caller.attributes[SIP_ATTR.callId] ?? ctx.job.id;
    const logger = shared.logger.child({ callId });
    const hangup = waitForHangup(ctx.room, caller).then(() => 'hangup' as const);
    const rawNumber = callerNumber(caller.attributes, CALLER_FROM_ATTRIBUTE);
    let language: Language = languageForNumber(
      pseudonymizer.normalize(rawNumber),
      agentConfig.language,
    );
    const startedAt = Date.now();

    // Admission, before any engine exists: a refused call costs no vendor money.
    const decision = await admission.admit({
      callId,
      caller: rawNumber,
      trunkId: caller.attributes[SIP_ATTR.trunkId] ?? 'unknown',
    });
    const record = async (fn: () => Promise<unknown>) =>
      fn().catch((err: unknown) =>
        logger.warn({ err: String(err) }, 'transcript store unavailable'),
      );
    await record(() =>
      transcripts.startCall({
        callId,
        pseudonym: decision.pseudonym,
        trunkId: caller.attributes[SIP_ATTR.trunkId],
        language,
        startedAt,
      }),
    );

    const finish = async (outcome: CallOutcome, transferTarget?: string) => {
      await record(() =>
        transcripts.finishCall(callId, { outcome, transferTarget, endedAt: Date.now() }),
      );
      logger.info({ outcome, pseudonym: decision.pseudonym }, 'call ended');
      redis.disconnect();
      await ctx.deleteRoom().catch(() => undefined);
      ctx.shutdown(outcome);
    };

    if (!decision.allowed) {
      const prompt = rejectionFor(rejections, decision.reason, language)!;
      const session = new voice.AgentSession({ tts: new EspeakTTS({ language }) });
      await session.start({
        agent: new voice.Agent({ instructions: '' }),
        room: ctx.room,
        inputOptions: { participantIdentity: caller.identity },
        ...RECORD_FREE_SESSION_OPTIONS,
      });
      if (await waitForCallActive(ctx.room, caller, ACTIVE_TIMEOUT_MS)) {
        await Promise.race([
          session
            .say(prompt.text, { audio: audioStream(prompt.frames), allowInterruptions: false })
            .waitForPlayout(),
          hangup,
        ]);
      }
      await session.close().catch(() => undefined);
      return finish(`rejected:${decision.reason}`);
    }

    const classifier = createClassifier(agentConfig.classifier);
    const sip = new SipClient(
      `http://127.0.0.1:${config.livekit.port}`,
      config.livekit.apiKey,
      config.livekit.apiSecret,
    );
    const allowed = allowedTargets(agentConfig.handoff, agentConfig.emergency.target);
    let outcome: CallOutcome = 'answered';
    let transferTarget: string | undefined;
    let ending: ((why: 'ended') => void) | undefined;
    const ended = new Promise<'ended'>((resolve) => (ending = resolve));

    // Assigned once below; the hand-off and terminal handlers built first close over it.
    // eslint-disable-next-line prefer-const
    let session: voice.AgentSession;
    const say = (text: string, allowInterruptions = true) =>
      session.say(text, { allowInterruptions });

    /** Says the line, then REFERs; the promise settles after the final NOTIFY. */
    const transfer = async (target: string, reason: string) => {
      // Checked before the announcement too, so a refused target is never announced.
      if (!allowed.has(canonical(target))) {
        logger.warn({ reason }, 'transfer refused: target not on the allowlist');
        say(agentConfig.handoff.refused[language]);
        return 'refused';
      }
      await say(agentConfig.handoff.announce[language], false).waitForPlayout();
      const result = await transferCall(
        {
          sip,
          roomName: ctx.room.name!,
          participantIdentity: caller.identity,
          allowed,
          timeoutSeconds: agentConfig.handoff.timeoutSeconds,
          logger,
        },
        target,
      );
      logger.info({ reason, result }, 'transfer');
      if (result === 'transferred') {
        outcome = 'transferred';
        transferTarget = target;
        ending?.('ended');
      } else {
        say(agentConfig.handoff.failed[language]);
      }
      return result;
    };

    const onTerminal = async (intent: TerminalIntent) => {
      await session.interrupt().await.catch(() => undefined);
      if (intent === 'EMERGENCY') {
        logger.warn(
          { event: 'emergency', action: agentConfig.emergency.action },
          'emergency phrase',
        );
        if (agentConfig.emergency.action === 'transfer' && agentConfig.emergency.target) {
          void transfer(agentConfig.emergency.target, 'emergency');
        } else {
          say(agentConfig.emergency.instruct[language], false);
        }
      } else if (intent === 'HANDOFF_REQUEST') {
        void transfer(agentConfig.handoff.target, 'caller asked');
      } else {
        await say(agentConfig.goodbye[language], false).waitForPlayout();
        ending?.('ended');
      }
    };

    const handlers = {
      language: () => language,
      setLanguage: (l: Language) => (language = l),
      onCallerTurn: (text: string) =>
        void record(() =>
          transcripts.addTurn(callId, { role: 'caller', text, language, at: Date.now() }),
        ),
      onTerminal,
      say: (text: string) => void say(text),
    };

    const brain = agentConfig.brain;
    const backend =
      brain.kind === 'backend'
        ? createBackendBrain({
            config: brain.backend,
            callId,
            caller: decision.pseudonym ?? null,
            language,
            logger,
            onIntent: (intent, info) => {
              if (intent === 'escalate')
                void transfer(
                  info.transferTarget ?? agentConfig.handoff.target,
                  'backend escalate',
                );
              if (intent === 'end') void onTerminal('GOODBYE');
            },
          })
        : undefined;
    mark('admitted');
    const engines = createCallEngines(config, language, shared.offline);
    const vad = engines.vad;
    mark('engines');
    const tools =
      brain.kind === 'llm'
        ? createLlmBrainTools({
            onTransfer: async (target) => {
              const result = await transfer(target ?? agentConfig.handoff.target, 'llm tool');
              return result === 'refused'
                ? 'That number is not allowed. Offer the helpdesk instead.'
                : undefined;
            },
            onEndCall: () => void onTerminal('GOODBYE'),
          })
        : undefined;

    session = new voice.AgentSession({
      stt: engines.stt,
      tts: engines.tts,
      llm: backend ?? engines.llm,
      vad,
      // Explicit, so no cloud turn detector or interruption model is picked behind our back.
      turnHandling: {
        turnDetection: 'vad',
        endpointing: {
          mode: 'fixed',
          minDelay: agentConfig.endpointingMs,
          maxDelay: agentConfig.endpointingMs * 4,
        },
        interruption: { enabled: true, mode: 'vad' },
        // A speculative turn would reach the customer's backend and could fire its intent for a
        // turn that is then thrown away.
        preemptiveGeneration: { enabled: brain.kind !== 'backend' },
      },
    });
    session.on(voice.AgentSessionEventTypes.ConversationItemAdded, (ev) => {
      const item = ev.item;
      if (item.type === 'message' && item.role === 'assistant' && item.textContent) {
        void record(() =>
          transcripts.addTurn(callId, {
            role: 'agent',
            text: item.textContent!,
            language,
            at: Date.now(),
          }),
        );
      }
    });
    ctx.room.on(RoomEvent.DtmfReceived, (_code, digit, participant) => {
      if (participant?.identity !== caller.identity) return;
      const intent = classifier.classifyDtmf(digit);
      if (intent) void onTerminal(intent);
    });

    const agent = new SwitchboardAgent({
      instructions: brain.kind === 'llm' ? llmInstructions(brain.llm, language) : '',
      classifier,
      rules: brain.kind === 'rules' ? createRulesBrain(brain.rules) : undefined,
      tools: tools as never,
      handlers,
    });
    await session.start({
      agent,
      room: ctx.room,
      inputOptions: { participantIdentity: caller.identity },
      ...RECORD_FREE_SESSION_OPTIONS,
    });

    mark('sessionStarted');
    if (await waitForCallActive(ctx.room, caller, ACTIVE_TIMEOUT_MS)) {
      mark('active');
      logger.info({ stages }, 'call set-up');
      say(agentConfig.greeting[language]);
    } else {
      outcome = 'failed';
      logger.warn('call never became active');
    }

    const why = await Promise.race([hangup, ended]);
    logger.info({ why }, 'call over');
    await decision.lease.release().catch(() => undefined);
    await session.close().catch(() => undefined);
    await engines.close().catch(() => undefined);
    await backend
      ?.end(transferTarget !== undefined ? 'transferred' : why === 'hangup' ? 'hangup' : 'ended')
      .catch(() => undefined);
    await backend?.aclose().catch(() => undefined);
    await finish(outcome, transferTarget);
  },
});
