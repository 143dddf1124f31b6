import type { AudioFrame } from '@livekit/rtc-node';
import type { SipClient } from 'livekit-server-sdk';
import type { Logger } from '../../telemetry/index.js';
import type { MessageStore } from '../../voicemail/types.js';
import type { VoicemailConfig } from '../../voicemail/config.js';
import type { CallState } from '../call/call-state.js';
import type { CallEvents } from '../call/events.js';
import type { Classifier } from '../classify/index.js';
import type { AgentConfig, Language } from '../config.js';

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

/** What a verb that listens (message taking) hears while it holds the caller's turns. */
export interface TurnListener {
  /** A final caller turn. */
  turn(text: string): void;
  /** The caller started speaking. */
  speaking(): void;
  /** The caller stopped speaking. */
  silent(): void;
}

/**
 * The caller's turns, taken away from the brains while a verb listens. An emergency phrase still
 * goes to call control: `capture` then releases the turns and `cancelled` resolves.
 */
export interface CallerTurns {
  capture(listener: TurnListener): { release(): void; cancelled: Promise<void> };
}

/** The human helpdesk's opening hours, as the hand-off and the hours question need them. */
export interface Helpdesk {
  /** Whether a hand-off may be tried now; when closed, the sentence saying when it opens. */
  status(language: Language): Promise<{ open: boolean; sentence?: string }>;
  /** The opening hours as one sentence. */
  hours(language: Language): Promise<string>;
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
  helpdesk: Helpdesk;
  voicemail: {
    config: VoicemailConfig;
    store: Pick<MessageStore, 'save'>;
    turns: CallerTurns;
    consent: Classifier['consent'];
    /**
     * The caller's pseudonym and E.164 number, when known. The number is only ever stored,
     * encrypted, after the caller said yes to a callback; it is never logged.
     */
    caller: { pseudonym?: string; number?: string };
  };
}
