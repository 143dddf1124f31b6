import {
  AgentDispatchClient,
  RoomServiceClient,
  ServerError,
  SipCallError,
  SipClient,
} from 'livekit-server-sdk';
import { scrubPhoneNumbers } from '../privacy/phone-numbers.js';
import { findOutboundTrunk } from '../provisioning/live.js';
import type { Logger } from '../telemetry/index.js';
import type { CallbackState, MessageStore } from './types.js';

/** What placing a callback reads from the config; a full `SwitchboardConfig` fits. */
export interface CallbackTarget {
  deployment: string;
  livekit: { url: string; apiKey: string; apiSecret: string };
  agent: { name: string };
  voicemail: { callback?: { trunk: string; ringSeconds: number } };
}

/** The LiveKit API calls a callback makes; `createCallbackClients` builds the real ones. */
export interface CallbackClients {
  sip: Pick<SipClient, 'listSipOutboundTrunk' | 'createSipParticipant'>;
  rooms: Pick<RoomServiceClient, 'createRoom' | 'deleteRoom'>;
  dispatch: Pick<AgentDispatchClient, 'createDispatch'>;
}

export interface PlaceCallbackOptions {
  config: CallbackTarget;
  store: MessageStore;
  messageId: string;
  logger: Logger;
  /** Default: clients for `config.livekit`. */
  clients?: CallbackClients;
  /** Pause before dialling again after livekit-sip refused for CPU; default 1500 ms. */
  retryDelayMs?: number;
}

export interface CallbackResult {
  /**
   * `dialing` when the callee picked up (the agent's job then records `answered` or `machine`),
   * `no_answer` or `failed` when the call did not connect.
   */
  state: Extract<CallbackState, 'dialing' | 'no_answer' | 'failed'>;
  room: string;
  /** The SIP final response when the call did not connect with one (486, 480, 503, …). */
  sipStatusCode?: number;
}

export type CallbackRefusal =
  'not_configured' | 'not_found' | 'no_number' | 'in_progress' | 'no_trunk';

/** Why a callback was not even dialled; the message names the fix and never a number. */
export class CallbackError extends Error {
  constructor(
    readonly reason: CallbackRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackError';
  }
}

/** The callee's participant identity in the callback room; the agent's job waits for it. */
export const CALLEE_IDENTITY = 'callee';

/** Room of the callback for a message: one per message, so a retry finds the same name. */
export const callbackRoom = (messageId: string) => `callback-${messageId}`;

/**
 * SIP final responses that mean the person did not take the call: busy (486), unavailable
 * (480), request timeout (408, also what a carrier sends when the ringing ran out), cancelled
 * after ringing too long (487), and declined (603). Anything else is a failure of the line.
 */
const NO_ANSWER_CODES = new Set([408, 480, 486, 487, 603]);

/**
 * Calls the caller back on the number they consented to. Creates the room `callback-<id>`,
 * dispatches the agent into it with `{"callback":{"messageId"}}` as job metadata, then dials the
 * number through the outbound trunk `voicemail.callback.trunk` and waits until it is answered or
 * the ringing times out. Records `dialing` first, then `no_answer` or `failed` when the call did
 * not connect (and deletes the room); an answered call is left to the agent's job, which records
 * `answered` (deleting the number) or `machine`.
 *
 * Throws a `CallbackError` when nothing was dialled: no `voicemail.callback`, an unknown message,
 * no number (no consent, already answered, erased, expired), a callback already ringing, or no
 * provisioned trunk. The number is never logged; the message id and the SIP status code are.
 */
export async function placeCallback(opts: PlaceCallbackOptions): Promise<CallbackResult> {
  const { config, store, messageId } = opts;
  const retryDelayMs = opts.retryDelayMs ?? 1500;
  const logger = opts.logger.child({ component: 'callback', messageId });
  const settings = config.voicemail.callback;
  if (!settings) {
    throw new CallbackError(
      'not_configured',
      'callbacks are not configured: set voicemail.callback.trunk to the name of one of provisioning.outboundTrunks',
    );
  }
  const message = await store.get(messageId);
  if (!message) {
    throw new CallbackError(
      'not_found',
      `no message ${messageId}: check the id (switchboard messages lists them); it may have expired or been erased`,
    );
  }
  const { state, updatedAt } = message.callback;
  // A callback still ringing: a second one would ring the same phone twice.
  const ringingUntil = updatedAt ? Date.parse(updatedAt) + (settings.ringSeconds + 30) * 1000 : 0;
  if (state === 'dialing' && Date.now() < ringingUntil) {
    throw new CallbackError(
      'in_progress',
      `a callback for ${messageId} is already under way (state dialing since ${updatedAt}); wait for its outcome`,
    );
  }
  const number = await store.callbackNumber(messageId);
  if (!number) throw new CallbackError('no_number', noNumber(messageId, state));

  const clients = opts.clients ?? createCallbackClients(config.livekit);
  let trunkId: string;
  try {
    trunkId = await findOutboundTrunk(clients, config.deployment, settings.trunk);
  } catch (err) {
    throw new CallbackError('no_trunk', scrub(err));
  }

  const room = callbackRoom(messageId);
  await store.recordCallback(messageId, 'dialing');
  logger.info({ room, attempt: message.callback.attempts + 1 }, 'callback dialing');
  const started = Date.now();
  try {
    await clients.rooms.createRoom({
      name: room,
      // Gone soon after the call ends, or right away when nobody ever joins.
      emptyTimeout: settings.ringSeconds + 30,
      departureTimeout: 5,
    });
    await clients.dispatch.createDispatch(room, config.agent.name, {
      metadata: JSON.stringify({ callback: { messageId } }),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await clients.sip.createSipParticipant(trunkId, number, room, {
          participantIdentity: CALLEE_IDENTITY,
          participantName: CALLEE_IDENTITY,
          waitUntilAnswered: true,
          ringingTimeout: settings.ringSeconds,
          playDialtone: false,
        });
        break;
      } catch (err) {
        // livekit-sip refuses a new call while its host's CPU is over its limit, before
        // anything rings: the phone never rang, so trying again shortly is safe.
        if (!isCpuRefusal(err) || attempt >= CPU_RETRIES) throw err;
        logger.warn({ room, attempt }, 'livekit-sip refused the call (cpu exhausted); retrying');
        await new Promise((r) => setTimeout(r, retryDelayMs));
      }
    }
  } catch (err) {
    const sipStatusCode = err instanceof SipCallError ? err.sipStatusCode : undefined;
    const outcome = isNoAnswer(err, sipStatusCode) ? 'no_answer' : 'failed';
    await store.recordCallback(messageId, outcome);
    await clients.rooms.deleteRoom(room).catch(() => undefined);
    logger.warn(
      {
        room,
        state: outcome,
        sipStatusCode,
        ms: Date.now() - started,
        ...(outcome === 'failed' ? { err: scrub(err) } : {}),
      },
      'callback did not connect',
    );
    return { state: outcome, room, ...(sipStatusCode !== undefined ? { sipStatusCode } : {}) };
  }
  logger.info({ room, ms: Date.now() - started }, 'callback answered; the agent takes over');
  return { state: 'dialing', room };
}

export function createCallbackClients(livekit: CallbackTarget['livekit']): CallbackClients {
  const url = livekit.url.replace(/^ws(s?):/, 'http$1:');
  const { apiKey, apiSecret } = livekit;
  const options = { requestTimeout: 10 };
  return {
    sip: new SipClient(url, apiKey, apiSecret, options),
    rooms: new RoomServiceClient(url, apiKey, apiSecret, options),
    dispatch: new AgentDispatchClient(url, apiKey, apiSecret, options),
  };
}

function noNumber(messageId: string, state: CallbackState): string {
  if (state === 'none') {
    return `message ${messageId} has no callback number: the caller did not consent to a callback`;
  }
  if (state === 'answered') {
    return `message ${messageId} was already called back (answered); its number has been deleted`;
  }
  return (
    `message ${messageId} has no callback number any more: erased on the caller's request or expired ` +
    '(or voicemail.callbackKeys no longer holds the key it was encrypted with)'
  );
}

/** How often a call refused for CPU is tried in all. */
const CPU_RETRIES = 4;

function isCpuRefusal(err: unknown): boolean {
  return err instanceof Error && /cpu exhausted/i.test(err.message);
}

function isNoAnswer(err: unknown, sipStatusCode: number | undefined): boolean {
  if (sipStatusCode !== undefined) return NO_ANSWER_CODES.has(sipStatusCode);
  // Ringing ran out without a final response from the carrier.
  if (err instanceof ServerError && err.code === 'deadline_exceeded') return true;
  return false;
}

/** An error's text without phone numbers: LiveKit's SIP errors can quote the dialled URI. */
function scrub(err: unknown): string {
  return scrubPhoneNumbers(err instanceof Error ? err.message : String(err));
}
