import { ParticipantInfo_Kind, type ParticipantInfo } from '@livekit/protocol';
import { Hono } from 'hono';
import {
  AgentDispatchClient,
  RoomServiceClient,
  SipClient,
  WebhookReceiver,
} from 'livekit-server-sdk';
import { SIP_ATTR } from '../agent/index.js';
import { livekitHttpUrl, type SwitchboardConfig } from '../config/index.js';
import type { Logger } from '../telemetry/index.js';

export const LIVEKIT_WEBHOOK_PATH = '/livekit/webhook';

/** What the fresh agent finds in its job's metadata: which recovery of the call it is. */
export interface RecoveryMetadata {
  recovery: number;
}

/** What recovery did for a room whose agent left. */
export type RecoveryAction = 'none' | 'redispatched' | 'handed_off' | 'failed';

/** The parts of LiveKit recovery uses, so a test can watch them. */
export interface RecoveryLivekit {
  listParticipants(room: string): Promise<ParticipantInfo[]>;
  createDispatch(room: string, agentName: string, metadata: string): Promise<unknown>;
  transfer(room: string, identity: string, target: string): Promise<unknown>;
}

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
}) {
  const { config, logger } = deps;
  const { agent } = config;
  const livekit = deps.livekit ?? livekitClients(config);
  const recoveries = new Map<string, number>();
  const inFlight = new Set<string>();

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
        try {
          const metadata: RecoveryMetadata = { recovery: attempt };
          await livekit.createDispatch(room, agent.name, JSON.stringify(metadata));
          logger.warn({ callId, attempt }, 'agent lost mid-call; call re-dispatched');
          return 'redispatched';
        } catch (err) {
          logger.error({ callId, err: errorText(err) }, 'call re-dispatch failed');
        }
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
    if (
      event.event === 'participant_left' &&
      event.participant?.kind === ParticipantInfo_Kind.AGENT &&
      room
    )
      void recover(room);
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
    createDispatch: (room, agentName, metadata) =>
      dispatch.createDispatch(room, agentName, { metadata }),
    transfer: (room, identity, target) =>
      sip.transferSipParticipant(room, identity, target, { playDialtone: false }),
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
