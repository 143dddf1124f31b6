import { Redis } from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { createTranscriptStore, type CallTranscript } from '../../src/privacy/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import type { CallResult } from './baresip.js';
import { eventually } from './livekit.js';
import type { StackHandle } from './stack.js';

const SIP_PARTICIPANT = 3;

/**
 * Runs a softphone call and ties it to the agent's own record of it: while the call is up, the
 * room's SIP participant maps the softphone's SIP Call-ID (`sip.callIDFull`) to the call id the
 * agent stores its transcript under (`sip.callID`). Resolves with the call and that transcript,
 * once its outcome is written.
 */
export async function callAndRecord(
  stack: StackHandle,
  placeCall: () => Promise<CallResult>,
): Promise<{ call: CallResult; transcript: CallTranscript }> {
  const rooms = new RoomServiceClient(
    stack.config.livekit.url,
    stack.config.livekit.apiKey,
    stack.config.livekit.apiSecret,
  );
  const callIds = new Map<string, string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const room of await rooms.listRooms().catch(() => [])) {
        for (const p of await rooms.listParticipants(room.name).catch(() => [])) {
          const full = p.attributes['sip.callIDFull'];
          const id = p.attributes['sip.callID'];
          if (p.kind === SIP_PARTICIPANT && full && id) callIds.set(full, id);
        }
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  const call = await placeCall().finally(() => (watching = false));
  await watch;
  const sipCallId = /^Call-ID:\s*(\S+)/im.exec(call.sipTrace)?.[1];
  const callId = sipCallId && callIds.get(sipCallId);
  if (!callId) throw new Error(`no LiveKit SIP participant was seen for SIP Call-ID ${sipCallId}`);
  const transcript = await readTranscript(stack, callId);
  return { call, transcript };
}

/** The agent's stored transcript of a call, once the call's outcome is written. */
export async function readTranscript(stack: StackHandle, callId: string): Promise<CallTranscript> {
  const redis = new Redis(stack.config.redis.url);
  try {
    const store = createTranscriptStore({
      redis,
      config: stack.config.privacy,
      logger: createLogger({ level: 'silent' }),
    });
    const done = await eventually(async () => {
      const t = await store.get(callId);
      return t?.outcome ? t : undefined;
    }, 15_000);
    if (!done) throw new Error(`call ${callId} has no recorded outcome`);
    return done;
  } finally {
    redis.disconnect();
  }
}

/** What the agent said on the call, in order. */
export const agentLines = (t: CallTranscript) =>
  t.turns.filter((turn) => turn.role === 'agent').map((turn) => turn.text);
