import type { JobContext } from '@livekit/agents';
import { ParticipantKind, type RemoteParticipant } from '@livekit/rtc-node';
import {
  createAdmission,
  pseudonymizerFromConfig,
  type Pseudonymizer,
} from '../admission/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import type { RecoveryMetadata } from '../control-plane/index.js';
import { createLogger, type Logger } from '../telemetry/index.js';
import { grammarPhrases } from './brains/index.js';
import { callBack, callbackOf } from './callback/call-back.js';
import { publishAgentVoice } from './call/answer.js';
import { joinCall, type JoinedCall } from './call/join.js';
import { openCallEvents, type CallEvents } from './call/events.js';
import { openCallRecords, openCallRedis } from './call/records.js';
import { createTeardown } from './call/teardown.js';
import { createTts, prepareOfflineParts, type OfflineParts } from './engines/index.js';
import { lineAudio, type LineAudio } from './line-audio.js';
import { fetchLines } from './lines-service.js';
import {
  prefetchRejections,
  refusalLines,
  rejectionAudio,
  type RejectionAudio,
} from './rejection-audio.js';
import { startConversation, warmUpConversation, type Conversation } from './session.js';
import { SIP_ATTR, waitForCallActive } from './call/sip-participant.js';
import { reject } from './verbs/index.js';

/** How long the caller's leg may ring before the agent gives up on it and hangs up. */
const ACTIVE_TIMEOUT_MS = 20_000;
/**
 * How long a warming process waits for the worker's fixed lines: long enough for a worker that
 * has just started to synthesise them, short enough not to hold up a call waiting for a warm
 * process. Without them the process synthesises a line when its call needs it.
 */
const LINES_WAIT_MS = 3_000;

export interface ProcessData extends Record<string, unknown> {
  config: SwitchboardConfig;
  logger: Logger;
  pseudonymizer: Pseudonymizer;
  rejections: RejectionAudio;
  /** The call's opening line, in the call's voice, synthesised while the call is set up. */
  lines: LineAudio;
  /** The VAD and the offline recogniser's grammar, built before the call rings. */
  offline: OfflineParts;
}

/**
 * What a job process prepares once, before its call rings (prewarm): only work that holds no
 * connection, so an idle process exits when the worker drains. `load` reads the config.
 */
export async function prepareProcess(
  data: Partial<ProcessData>,
  load: () => SwitchboardConfig,
): Promise<ProcessData> {
  if (data.rejections) return data as ProcessData;
  const config = load();
  const logger = createLogger({ name: 'agent-job', level: config.agent.logLevel });
  const { agent } = config;
  const lines = lineAudio((language) => createTts(config, language));
  const refusals = refusalLines(agent.engines.tts.offline.voices);
  for (const line of await fetchLines(LINES_WAIT_MS))
    (line.voice === 'call' ? lines : refusals).seed(line.text, line.language, line.frames);
  Object.assign(data, {
    config,
    logger,
    pseudonymizer: pseudonymizerFromConfig(config.admission),
    rejections: rejectionAudio(config.admission, refusals),
    lines,
    offline: await prepareOfflineParts(
      config,
      grammarPhrases(agent.classifier, agent.brain.rules),
      logger,
    ),
  });
  // After prewarm, off its path: a refusal then plays from memory.
  setImmediate(() => void prefetchRejections((data as ProcessData).rejections, agent.language));
  return data as ProcessData;
}

/**
 * Runs the call's code once before the call rings, at the warm-up priority (prewarm only, never on
 * a call's path). A failure costs the call only its first-run time.
 */
export async function warmUpProcess(data: ProcessData): Promise<void> {
  try {
    await warmUpConversation(data.config, data.offline);
  } catch (err) {
    data.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'warm-up failed');
  }
}

/**
 * One call, in its own job process forked by the worker: join → admit → reject, or converse →
 * greet when active → wait for the end → tear down. Teardown always runs: the lease is released,
 * the outcome written (`failed` when an exception escaped), Redis closed, the room deleted.
 */
export async function runCall(
  ctx: JobContext<ProcessData>,
  load: () => SwitchboardConfig,
): Promise<void> {
  const proc = await prepareProcess(ctx.proc.userData, load);
  const { config } = proc;
  // The call's own Redis connection opens while the agent joins the room, so admission's budget
  // is spent on Redis answering, not on connecting (on a busy machine that alone took ~250 ms).
  const redis = openCallRedis(config.redis.url);
  let call: JoinedCall;
  try {
    call = await joinCall(ctx, {
      logger: proc.logger,
      pseudonymizer: proc.pseudonymizer,
      defaultLanguage: config.agent.language,
    });
  } catch (err) {
    // No caller came (a callback's dial failed and its room went): the job ends here.
    redis.disconnect();
    proc.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'no caller joined');
    ctx.shutdown('no caller');
    return;
  }
  const { state, logger } = call;
  // A call that lost its agent gets exactly one fresh agent; should a second dispatch have been
  // taken too, the later agent leaves the call (and the room) to the first.
  const recovery = recoveryOf(ctx.job.metadata);
  if (recovery > 0 && [...ctx.room.remoteParticipants.values()].some(isAgent)) {
    logger.warn({ recovery }, 'another agent already took the call; leaving it');
    redis.disconnect();
    ctx.shutdown('duplicate agent');
    return;
  }
  const teardown = createTeardown(logger);
  teardown.defer('shutdown', () => ctx.shutdown(state.outcome));
  teardown.defer('room', () => ctx.deleteRoom());
  teardown.defer('redis', () => redis.disconnect());
  // A callback the control plane dialled: no admission (the helpdesk chose to call) and an
  // introduction instead of the greeting.
  const callbackFor = callbackOf(ctx.job.metadata);
  // An inbound caller is answered while admission decides and the session is built.
  const voice = callbackFor ? undefined : publishAgentVoice(ctx.room, logger);
  if (voice) {
    teardown.defer('voice', () => voice.close());
    void voice.subscribed.then((ok) => ok && call.mark('subscribed'));
    void waitForCallActive(ctx.room, call.caller, ACTIVE_TIMEOUT_MS).then(
      (active) => active && call.mark('active'),
    );
  }
  const events = openCallEvents(redis, {
    deployment: config.deployment,
    callId: state.callId,
    trunkId: call.trunkId,
  });
  events.setPseudonym(proc.pseudonymizer.pseudonymize(call.rawNumber));
  events.emit({ type: 'started', language: state.language, recovery });
  teardown.defer('events', () => endEvent(events, call));
  try {
    const records = openCallRecords(redis, config, proc, call);
    if (callbackFor) {
      await callBack({ ctx, proc, call, redis, events, records, teardown, messageId: callbackFor });
      return;
    }
    // A call that lost its agent mid-call comes back here with a fresh job. Admission runs again:
    // the lease and the rate-limit entry are keyed by call id, so this renews rather than counts.
    // Admission, before any engine exists: a refused call costs no vendor money.
    const decision = await createAdmission({
      redis,
      config: config.admission,
      pseudonymizer: proc.pseudonymizer,
      logger: proc.logger,
      telemetry: {
        decision: (result, seconds) => events.emit({ type: 'admission', result, seconds }),
        redisFailure: (operation) => events.emit({ type: 'redis_failure', operation }),
      },
    }).admit({
      callId: state.callId,
      caller: call.rawNumber,
      trunkId: call.trunkId ?? 'unknown',
    });
    call.mark('admitted');
    records.start(decision.pseudonym);
    teardown.defer('outcome', () => records.finish(decision.pseudonym));
    if (decision.allowed) {
      teardown.defer('lease', () => decision.lease.release());
    } else if (recovery) {
      // A live call is never hung up to enforce the cap: its lease lapsed while it had no agent.
      logger.warn({ reason: decision.reason }, 'recovered call refused by admission; carrying on');
    } else {
      await reject(
        {
          call: state,
          room: ctx.room,
          caller: call.caller,
          prompt: await proc.rejections(decision.reason, state.language),
          output: voice?.output,
          activeTimeoutMs: ACTIVE_TIMEOUT_MS,
        },
        decision.reason,
      );
      return;
    }

    // A caller who was already talking hears that the line was cut, not the greeting again.
    const resumed = recovery > 0 && call.caller.attributes[SIP_ATTR.callStatus] === 'active';
    const opening = resumed ? config.agent.recovery.resumed : config.agent.greeting;
    // Synthesised while the session starts and the gateway answers, then played from memory. Only
    // now: a refused call must cost no vendor money, and a job process serves one call.
    void proc.lines.get(opening[state.language], state.language).catch(() => undefined);
    const conversation = await startConversation({
      ctx,
      call,
      config,
      offline: proc.offline,
      pseudonym: decision.pseudonym,
      callerNumber: decision.pseudonym ? proc.pseudonymizer.normalize(call.rawNumber) : undefined,
      redis,
      writeTranscript: records.write,
      events,
      output: voice?.output,
    });
    teardown.defer('conversation', () => conversation.close());
    if (resumed) logger.warn({ recovery }, 'resuming a call that lost its agent');
    if (await greetWhenActive(ctx, call, conversation, opening, events, proc.lines)) {
      logger.info({ why: await state.ended }, 'call over');
    }
  } catch (err) {
    logger.error(
      { err: err instanceof Error ? err.message : String(err), stages: call.stages },
      'call failed',
    );
    state.fail(err instanceof Error && err.name !== 'Error' ? err.name : 'exception');
  } finally {
    await teardown.run();
  }
}

/**
 * livekit-sip answers the caller once it has subscribed to a track of the agent's; speaking before
 * `sip.callStatus=active` would be lost. A leg that never becomes active is hung up by the agent.
 */
async function greetWhenActive(
  ctx: JobContext,
  call: JoinedCall,
  conversation: Conversation,
  opening: SwitchboardConfig['agent']['greeting'],
  events: CallEvents,
  lines: LineAudio,
): Promise<boolean> {
  // A caller who hangs up while it rings ends the wait at once (a burst's late callers do).
  const active = await Promise.race([
    waitForCallActive(ctx.room, call.caller, ACTIVE_TIMEOUT_MS),
    call.state.ended.then(() => false),
  ]);
  if (!active) {
    call.logger.warn('call never became active; hanging up');
    call.state.fail('never_active');
    return false;
  }
  if (call.stages.active === undefined) call.mark('active');
  events.emit({ type: 'answered', seconds: call.stages.active! / 1000 });
  call.logger.info({ stages: call.stages }, 'call set-up');
  const { language } = call.state;
  const audio = lines.ready(opening[language], language);
  conversation.speaker.say(opening[language], audio ? { audio } : undefined);
  return true;
}

/**
 * The call's last event, after its outcome is stored and before its Redis connection closes:
 * waited for, briefly, so the control plane sees every call end.
 */
async function endEvent(events: CallEvents, call: JoinedCall): Promise<void> {
  const { state } = call;
  call.mark('ended');
  events.emit({
    type: 'ended',
    outcome: state.outcome,
    ...(state.failure ? { failure: state.failure } : {}),
    seconds: (call.stages.ended ?? 0) / 1000,
  });
  await Promise.race([events.flushed(), new Promise((r) => setTimeout(r, 1_000).unref())]);
  if (events.dropped > 0) call.logger.warn({ dropped: events.dropped }, 'call events lost');
}

const isAgent = (p: RemoteParticipant) => p.info.kind === ParticipantKind.AGENT;

/** Which recovery of its call a job is (1, 2, …), from the dispatch metadata; 0 for a new call. */
export function recoveryOf(metadata: string | undefined): number {
  try {
    const parsed = JSON.parse(metadata || '{}') as Partial<RecoveryMetadata>;
    return Number.isInteger(parsed.recovery) ? parsed.recovery! : 0;
  } catch {
    return 0;
  }
}
