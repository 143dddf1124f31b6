import { ParticipantInfo_Kind, type ParticipantInfo } from '@livekit/protocol';
import { Hono } from 'hono';
import {
  AgentDispatchClient,
  RoomServiceClient,
  SipClient,
  WebhookReceiver,
} from 'livekit-server-sdk';
import { callerNumber, SIP_ATTR } from '../agent/index.js';
import type { Pseudonymizer } from '../admission/index.js';
import type { Language } from '../common/index.js';
import type { TranscriptStore } from '../privacy/index.js';
import { CALLER_FROM_ATTRIBUTE } from '../provisioning/index.js';
import { livekitHttpUrl, type SwitchboardConfig } from '../config/index.js';
import { callRecoveries } from '../telemetry/call-metrics.js';
import type { Logger } from '../telemetry/index.js';
import type { CallEvents } from '../agent/call/events.js';

export const LIVEKIT_WEBHOOK_PATH = '/livekit/webhook';

/** What the fresh agent finds in its job's metadata: which recovery of the call it is. */
export interface RecoveryMetadata {
  recovery: number;
}

/** What recovery did for a room whose agent left. */
export type RecoveryAction = 'none' | 'redispatched' | 'handed_off' | 'failed';

/** The call records, for a call that ended before any agent handled it. */
export interface UnhandledCalls {
  /** Records `failed:no_agent` for the call unless an agent already recorded it. */
  record(call: {
    callId: string;
    caller: string | undefined;
    trunkId: string | undefined;
  }): Promise<void>;
}

/** The parts of LiveKit recovery uses, so a test can watch them. */
export interface RecoveryLivekit {
  listParticipants(room: string): Promise<ParticipantInfo[]>;
  /** Resolves with the dispatch's id. */
  createDispatch(room: string, agentName: string, metadata: string): Promise<string>;
  /** Whether livekit-server gave the dispatch a job (a worker took it). */
  dispatchTaken(room: string, id: string): Promise<boolean>;
  deleteDispatch(room: string, id: string): Promise<void>;
  transfer(room: string, identity: string, target: string): Promise<unknown>;
}

/**
 * How long a lost call waits for a worker to take its fresh agent: `up` restarts a lone crashed
 * worker within seconds, and livekit-server drops a dispatch that finds no worker (it does not
 * queue it), so a dispatch nobody took within 4 × `DISPATCH_CHECK_MS` is withdrawn and made again.
 */
const RECOVERY_WINDOW_MS = 20_000;
const DISPATCH_CHECK_MS = 1_000;
/** Pause between an agent's loss and its replacement's dispatch (see `recover`). */
const SETTLE_MS = 700;

/**
 * Calls whose agent vanished. LiveKit does not replace an agent that leaves: a crashed worker or
 * job process leaves its caller alone in the room, in silence. The agent ends every call it means
 * to end by deleting the room, so an agent leaving a room where the caller's SIP leg is still
 * present means the agent was lost. The call then gets a fresh agent (explicit dispatch by agent
 * name, which says a "cut off" line and carries on), at most `maxRedispatches` times; after that,
 * or when no dispatch can be created, the caller is handed to the helpdesk by REFER.
 */
export function createCallRecovery(deps: {
  config: SwitchboardConfig;
  logger: Logger;
  livekit?: RecoveryLivekit;
  unhandled?: UnhandledCalls;
  /** Told when a caller's leg leaves its room (the live-call list). */
  onCallerLeft?: (callId: string) => void;
  /** Tests shorten the wait for a worker. */
  windowMs?: number;
  checkMs?: number;
  settleMs?: number;
}) {
  const { config, logger } = deps;
  const { agent } = config;
  const livekit = deps.livekit ?? livekitClients(config);
  const recoveries = new Map<string, number>();
  const inFlight = new Set<string>();

  async function dispatchUntilTaken(room: string, metadata: string): Promise<boolean> {
    const deadline = Date.now() + (deps.windowMs ?? RECOVERY_WINDOW_MS);
    const checkMs = deps.checkMs ?? DISPATCH_CHECK_MS;
    while (Date.now() < deadline) {
      try {
        const id = await livekit.createDispatch(room, agent.name, metadata);
        // Taken: a job on the dispatch, or an agent in the room (the job's state can lag).
        const taken = async () =>
          (await livekit.dispatchTaken(room, id)) ||
          (await livekit.listParticipants(room)).some((p) => p.kind === ParticipantInfo_Kind.AGENT);
        for (let waited = 0; waited < checkMs * 4; waited += checkMs / 4) {
          await new Promise((r) => setTimeout(r, checkMs / 4));
          if (await taken()) return true;
        }
        await livekit.deleteDispatch(room, id);
      } catch (err) {
        logger.warn({ err: errorText(err) }, 'call re-dispatch failed; trying again');
        await new Promise((r) => setTimeout(r, checkMs));
      }
    }
    return false;
  }

  async function recover(room: string): Promise<RecoveryAction> {
    if (inFlight.has(room)) return 'none';
    inFlight.add(room);
    try {
      const participants = await livekit.listParticipants(room).catch(() => []);
      const caller = participants.find((p) => p.kind === ParticipantInfo_Kind.SIP);
      if (!caller || participants.some((p) => p.kind === ParticipantInfo_Kind.AGENT)) return 'none';
      const attempt = (recoveries.get(room) ?? 0) + 1;
      recoveries.set(room, attempt);
      // A room is recovered a bounded number of times; forget it once it can no longer matter.
      setTimeout(() => recoveries.delete(room), 3_600_000).unref();
      const callId = caller.attributes[SIP_ATTR.callId];
      if (attempt <= agent.recovery.maxRedispatches) {
        // livekit-sip is still renegotiating the lost agent's track away; a new track arriving in
        // the middle of that sometimes left its subscriber connection broken for 10 s (silence).
        await new Promise((r) => setTimeout(r, deps.settleMs ?? SETTLE_MS));
        const metadata = JSON.stringify({ recovery: attempt } satisfies RecoveryMetadata);
        if (await dispatchUntilTaken(room, metadata)) {
          logger.warn({ callId, attempt }, 'agent lost mid-call; call re-dispatched');
          return 'redispatched';
        }
        logger.error({ callId, attempt }, 'no worker took the lost call');
      }
      try {
        await livekit.transfer(room, caller.identity, agent.handoff.target);
        logger.warn({ callId, attempt }, 'agent lost mid-call; caller handed to the helpdesk');
        return 'handed_off';
      } catch (err) {
        logger.error({ callId, err: errorText(err) }, 'recovery hand-off failed');
        return 'failed';
      }
    } finally {
      inFlight.delete(room);
    }
  }

  const receiver = new WebhookReceiver(config.livekit.apiKey, config.livekit.apiSecret);
  const app = new Hono();
  app.post(LIVEKIT_WEBHOOK_PATH, async (c) => {
    const body = await c.req.text();
    let event;
    try {
      event = await receiver.receive(body, c.req.header('Authorization'));
    } catch {
      return c.text('invalid signature', 401);
    }
    const room = event.room?.name;
    const left = event.event === 'participant_left' ? event.participant : undefined;
    if (left?.kind === ParticipantInfo_Kind.AGENT && room) {
      void recover(room).then((action) => {
        if (action !== 'none') callRecoveries.inc({ action });
      });
    }
    // A caller who left before any agent took the call (ringing too long in a burst, say) would
    // otherwise have no outcome at all.
    if (left?.kind === ParticipantInfo_Kind.SIP && deps.unhandled) {
      const callId = left.attributes[SIP_ATTR.callId];
      if (callId) deps.onCallerLeft?.(callId);
      if (callId)
        void deps.unhandled
          .record({
            callId,
            caller: callerNumber(left.attributes, CALLER_FROM_ATTRIBUTE),
            trunkId: left.attributes[SIP_ATTR.trunkId],
          })
          .catch((err: unknown) =>
            logger.warn({ callId, err: errorText(err) }, 'unhandled call not recorded'),
          );
    }
    return c.text('ok');
  });
  return { app, recover };
}

function livekitClients(config: SwitchboardConfig): RecoveryLivekit {
  const url = livekitHttpUrl(config.livekit.url);
  const { apiKey, apiSecret } = config.livekit;
  const rooms = new RoomServiceClient(url, apiKey, apiSecret);
  const dispatch = new AgentDispatchClient(url, apiKey, apiSecret);
  const sip = new SipClient(url, apiKey, apiSecret);
  return {
    listParticipants: (room) => rooms.listParticipants(room),
    createDispatch: async (room, agentName, metadata) =>
      (await dispatch.createDispatch(room, agentName, { metadata })).id,
    dispatchTaken: async (room, id) =>
      ((await dispatch.getDispatch(id, room))?.state?.jobs.length ?? 0) > 0,
    deleteDispatch: (room, id) => dispatch.deleteDispatch(id, room),
    transfer: (room, identity, target) =>
      sip.transferSipParticipant(room, identity, target, { playDialtone: false }),
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * `failed:no_agent` for a call whose caller left before any agent recorded it, written in the
 * caller's transcript record (pseudonym only) under the transcript retention.
 */
export function unhandledCallRecords(deps: {
  store: Pick<TranscriptStore, 'get' | 'startCall' | 'finishCall'>;
  /** Its end is told like any call's (call events), so the figures count it. */
  openEvents: (callId: string, trunkId: string | undefined) => CallEvents;
  pseudonymizer: Pick<Pseudonymizer, 'pseudonymize'>;
  language: Language;
  logger: Logger;
}): UnhandledCalls {
  return {
    async record({ callId, caller, trunkId }) {
      if (await deps.store.get(callId)) return;
      const pseudonym = deps.pseudonymizer.pseudonymize(caller);
      const now = Date.now();
      await deps.store.startCall({
        callId,
        pseudonym,
        trunkId,
        language: deps.language,
        startedAt: now,
      });
      await deps.store.finishCall(callId, { outcome: 'failed', failure: 'no_agent', endedAt: now });
      const events = deps.openEvents(callId, trunkId);
      events.setPseudonym(pseudonym);
      events.emit({ type: 'ended', outcome: 'failed', failure: 'no_agent', seconds: 0 });
      await events.flushed();
      deps.logger.warn({ callId, pseudonym }, 'caller left before any agent took the call');
    },
  };
}
