import type { JobContext } from '@livekit/agents';
import { RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import type { Pseudonymizer } from '../../admission/index.js';
import { CALLER_FROM_ATTRIBUTE } from '../../provisioning/index.js';
import type { Logger } from '../../telemetry/index.js';
import type { Language } from '../config.js';
import {
  callerNumber,
  languageForNumber,
  SIP_ATTR,
  waitForHangup,
  waitForSipParticipant,
} from './sip-participant.js';
import { createCallState, type CallState } from './call-state.js';

/** A call the agent has joined: who is calling, on which trunk, and the call's state. */
export interface JoinedCall {
  state: CallState;
  caller: RemoteParticipant;
  /** The caller's number as the gateway gave it. Never log it: admission pseudonymises it. */
  rawNumber: string | undefined;
  trunkId: string | undefined;
  logger: Logger;
  /** Milliseconds since the job started, per stage: where call set-up time goes. */
  mark(stage: string): void;
  stages: Record<string, number>;
}

/**
 * A room whose SIP participant never comes (a callback whose dial failed: its room is deleted) is
 * left once the room is gone or after this long, so no job waits on it forever.
 */
const PARTICIPANT_WAIT_MS = 60_000;

async function sipParticipantOf(ctx: JobContext): Promise<RemoteParticipant> {
  const gone = new AbortController();
  const timer = setTimeout(() => gone.abort(), PARTICIPANT_WAIT_MS);
  const onDisconnected = () => gone.abort();
  ctx.room.once(RoomEvent.Disconnected, onDisconnected);
  try {
    return await waitForSipParticipant(ctx.room, gone.signal);
  } finally {
    clearTimeout(timer);
    ctx.room.off(RoomEvent.Disconnected, onDisconnected);
  }
}

/** The joined room's sid, or undefined if LiveKit has not said it within a second. */
async function joinedRoomSid(ctx: JobContext): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      ctx.room.getSid(),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 1_000))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function joinCall(
  ctx: JobContext,
  deps: { logger: Logger; pseudonymizer: Pseudonymizer; defaultLanguage: Language },
): Promise<JoinedCall> {
  const jobStart = Date.now();
  const stages: Record<string, number> = {};
  const mark = (stage: string) => {
    stages[stage] = Date.now() - jobStart;
  };
  await ctx.connect();
  mark('connected');
  // Joining a room deleted since the dispatch creates a new, empty one (a callback whose callee
  // answered busy at once): the call it was for is over, and no SIP participant will come.
  const dispatchedTo = ctx.job.room?.sid;
  const joined = dispatchedTo ? await joinedRoomSid(ctx) : undefined;
  if (joined !== undefined && joined !== dispatchedTo)
    throw new Error('the call ended before the agent joined (its room was deleted)');
  const caller = await sipParticipantOf(ctx);
  mark('participant');
  const callId = caller.attributes[SIP_ATTR.callId] ?? ctx.job.id;
  const rawNumber = callerNumber(caller.attributes, CALLER_FROM_ATTRIBUTE);
  const language = languageForNumber(deps.pseudonymizer.normalize(rawNumber), deps.defaultLanguage);
  const state = createCallState(callId, language);
  void waitForHangup(ctx.room, caller).then(() => state.end('hangup'));
  // The agent's own connection dropped (livekit-server lost Redis, say): the call was lost, not
  // hung up. A fresh agent that recovers the call records the final outcome over this one.
  ctx.room.once(RoomEvent.Disconnected, () => {
    if (state.endReason === undefined) state.fail('room_lost');
  });
  return {
    state,
    caller,
    rawNumber,
    trunkId: caller.attributes[SIP_ATTR.trunkId],
    logger: deps.logger.child({ callId }),
    mark,
    stages,
  };
}
