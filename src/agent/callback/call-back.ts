import type { JobContext } from '@livekit/agents';
import type { Redis } from 'ioredis';
import { languageSchema } from '../../common/index.js';
import { createMessageStore } from '../../voicemail/store.js';
import type { ProcessData } from '../call-flow.js';
import type { CallEvents } from '../call/events.js';
import type { JoinedCall } from '../call/join.js';
import type { openCallRecords } from '../call/records.js';
import { waitForCallActive } from '../call/sip-participant.js';
import type { Teardown } from '../call/teardown.js';
import { startConversation } from '../session.js';
import { detectAnsweringMachine } from './answering-machine.js';

/** What `placeCallback` puts in the agent dispatch's metadata. */
export interface CallbackMetadata {
  callback: { messageId: string };
}

/** The message a dispatch asks the agent to call back about; undefined for an inbound call. */
export function callbackOf(metadata: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(metadata || '{}') as Partial<CallbackMetadata>;
    const id = parsed.callback?.messageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export interface CallBackDeps {
  ctx: JobContext<ProcessData>;
  proc: ProcessData;
  call: JoinedCall;
  redis: Redis;
  events: CallEvents;
  records: ReturnType<typeof openCallRecords>;
  teardown: Teardown;
  messageId: string;
}

/**
 * A callback the control plane dialled (`switchboard callback <id>`): the callee's leg rings
 * while this job joins. Once answered, answering-machine detection decides: a machine gets no
 * message (nothing about a hospital call is left on a voicemail) and the number is kept for
 * another try; a person (or silence) hears the agent introduce the call, the number is deleted,
 * and the conversation goes on as any call does.
 */
export async function callBack(deps: CallBackDeps): Promise<void> {
  const { ctx, proc, call, redis, events, records, teardown, messageId } = deps;
  const { config } = proc;
  const { state, logger } = call;
  const store = createMessageStore({
    redis,
    privacy: config.privacy,
    voicemail: config.voicemail,
    logger,
  });
  const message = await store.get(messageId);
  if (!message) {
    logger.warn({ messageId }, 'callback for a message that no longer exists; hanging up');
    state.fail('message_gone');
    return;
  }
  const language = languageSchema.safeParse(message.language);
  state.language = language.success ? language.data : config.agent.language;
  const pseudonym = message.pseudonym ?? undefined;
  records.start(pseudonym);
  teardown.defer('outcome', () => records.finish(pseudonym));
  const conversation = await startConversation({
    ctx,
    call,
    config,
    offline: proc.offline,
    pseudonym,
    // No second consent on a callback: the number is deleted once the callee is reached.
    callerNumber: undefined,
    redis,
    writeTranscript: records.write,
    events,
  });
  teardown.defer('conversation', () => conversation.close());
  const ringMs = (config.voicemail.callback?.ringSeconds ?? 30) * 1000;
  const active = await Promise.race([
    waitForCallActive(ctx.room, call.caller, ringMs + 5_000),
    state.ended.then(() => false),
  ]);
  if (!active) {
    // placeCallback records why the callee was not reached (its dial failed).
    state.fail('never_active');
    return;
  }
  call.mark('active');
  events.emit({ type: 'answered', seconds: call.stages.active! / 1000 });
  const answeredBy = await detectAnsweringMachine(conversation.callerSpeech);
  logger.info({ messageId, answeredBy }, 'callback answered');
  events.emit({
    type: 'callback',
    messageId,
    result: answeredBy === 'machine' ? 'machine' : 'human',
  });
  if (answeredBy === 'machine') {
    await store.recordCallback(messageId, 'machine');
    state.outcome = 'callback:machine';
    state.end('goodbye');
    return;
  }
  await store.recordCallback(messageId, 'answered');
  const left = new Date(message.createdAt);
  const time = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: config.helpdesk.hours?.timeZone ?? 'Europe/Brussels',
  }).format(left);
  conversation.speaker.say(
    config.voicemail.prompts.callbackIntro[state.language].replace('{time}', time),
  );
  logger.info({ why: await state.ended }, 'callback over');
}
