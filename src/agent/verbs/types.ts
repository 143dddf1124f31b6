import type { AudioFrame } from '@livekit/rtc-node';
import type { SipClient } from 'livekit-server-sdk';
import type { Logger } from '../../telemetry/index.js';
import type { CallState } from '../call/call-state.js';
import type { CallEvents } from '../call/events.js';
import type { AgentConfig } from '../config.js';

/** A line the agent speaks; `waitForPlayout` resolves when the caller has heard it. */
export interface Utterance {
  waitForPlayout(): Promise<void>;
}

/** The agent's voice on this call. */
export interface Speaker {
  /** `audio`: the line already synthesised (kept in memory), played instead of synthesising it. */
  say(text: string, opts?: { interruptible?: boolean; audio?: AudioFrame[] }): Utterance;
  /** Stops whatever the agent is saying. */
  interrupt(): Promise<void>;
}

/** What every call-control verb works with: the call, its voice, and the gateway. */
export interface VerbContext {
  call: CallState;
  config: Pick<AgentConfig, 'handoff' | 'emergency' | 'goodbye'>;
  speaker: Speaker;
  sip: Pick<SipClient, 'transferSipParticipant'>;
  roomName: string;
  /** The caller's participant identity in the room. */
  callerIdentity: string;
  /** Canonical transfer targets this deployment allows. */
  allowedTargets: Set<string>;
  logger: Logger;
  /** What the verbs did, for the control plane's figures. */
  events: Pick<CallEvents, 'emit'>;
}
