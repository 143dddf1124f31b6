import { Redis } from 'ioredis';
import { SipClient } from 'livekit-server-sdk';
import { LANGUAGES } from '../common/index.js';
import { livekitHttpUrl, type SwitchboardConfig } from '../config/index.js';
import { ownedBy } from '../provisioning/index.js';
import {
  CALL_EVENTS_VERSION,
  callEventsStream,
  TURN_STAGES,
  type CallEvent,
  type CallEventsView,
  type LatencySample,
  type LiveCall,
} from '../telemetry/call-events.js';
import {
  admissionDecisions,
  admissionDecisionSeconds,
  admissionRedisFailures,
  answerSeconds,
  backendFirstDelta,
  backendReconnects,
  backendTurns,
  callbacks,
  callEventsRead,
  callEventsStreamErrors,
  callFailures,
  callsActive,
  callsEnded,
  callsStarted,
  emergencies,
  greetingSeconds,
  transfers,
  turnStageSeconds,
  voicemailMessages,
} from '../telemetry/call-metrics.js';
import type { Logger } from '../telemetry/index.js';

/** Events read per round trip, and how long one read waits for new ones. */
const READ_COUNT = 500;
const BLOCK_MS = 5_000;
/** Pause before reading again after Redis failed us. */
const RETRY_MS = 1_000;
/** On start, live calls are rebuilt from this many recent events (not counted again). */
const REPLAY_COUNT = 5_000;
/** A call whose caller left is dropped from the live list this long after, if no end arrived. */
const CALLER_LEFT_GRACE_MS = 30_000;
/** No call lasts longer; a live entry older than this lost its end (a job killed, say). */
const MAX_CALL_MS = 6 * 3_600_000;
const LATENCY_SAMPLES = 500;

/** Values that may become labels: anything else is folded into `other`, so series stay bounded. */
const OUTCOMES = new Set([
  'answered',
  'transferred',
  'rejected:rate_limited',
  'rejected:over_capacity',
  'rejected:error',
  'voicemail',
  'callback:machine',
  'failed',
]);
const CODE = /^[a-z_]{1,32}$/;
const LANGUAGE = /^[a-z]{2}$/;
const label = (value: string | undefined, ok: (v: string) => boolean) =>
  value !== undefined && ok(value) ? value : 'other';
const code = (value: string | undefined) => label(value, (v) => CODE.test(v));
const isDuration = (s: unknown): s is number =>
  typeof s === 'number' && Number.isFinite(s) && s >= 0;

export interface CallEventReader {
  view: CallEventsView;
  /** The caller's leg left its room: the call leaves the live list unless its end comes first. */
  callerLeft(callId: string): void;
  stop(): Promise<void>;
}

/** Names trunks for labels: LiveKit's trunk id → the name in switchboard.yaml, or `other`. */
export type TrunkNames = (trunkId: string | undefined) => string;

/**
 * Follows the call-event stream every job process writes to and turns it into the control plane's
 * metrics and live-call list. One blocking connection of its own; while Redis is away the reader
 * counts a stream error and tries again each second, from where it stopped.
 */
export async function startCallEventReader(deps: {
  config: SwitchboardConfig;
  logger: Logger;
  trunkNames?: TrunkNames;
  /** A new voicemail message (not a replayed one): pushed to the webhook at once. */
  onMessage?: (messageId: string) => void;
}): Promise<CallEventReader> {
  const { config, logger } = deps;
  const stream = callEventsStream(config.deployment);
  const trunkName = deps.trunkNames ?? livekitTrunkNames(config, logger);
  const state = createCallEventState(trunkName);
  startAtZero(config.provisioning.inboundTrunks.map((t) => t.name));
  // No command timeout: XREAD BLOCK holds the connection by design. A read fails at once when the
  // connection drops or Redis is away, and the loop tries again: queued, resent or retried, it
  // could outlive disconnect() (ioredis flushes a dropped connection's commands only every
  // maxRetriesPerRequest + 1 closes), and stop() would wait on it.
  const redis = new Redis(config.redis.url, {
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  redis.on('error', () => undefined);
  let stopped = false;
  // Where reading starts: after the replayed events; from now when no replay was possible.
  let lastId = `${Date.now()}-0`;

  try {
    await redis.connect();
    const recent = await redis.xrevrange(stream, '+', '-', 'COUNT', REPLAY_COUNT);
    for (const [, fields] of [...recent].reverse()) {
      const event = parseEvent(fields);
      if (event) state.apply(event, { replay: true });
    }
    lastId = recent[0]?.[0] ?? '0-0';
  } catch (err) {
    logger.warn({ err: String(err) }, 'call events: no replay, redis unavailable');
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        const reply = await redis.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          stream,
          lastId,
        );
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const event = parseEvent(fields);
            if (!event) continue;
            state.apply(event, { replay: false });
            if (event.type === 'message') deps.onMessage?.(event.messageId);
          }
        }
      } catch (err) {
        if (stopped) break;
        callEventsStreamErrors.inc();
        logger.warn({ err: String(err) }, 'call events: stream read failed; retrying');
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  })();

  const sweep = setInterval(() => state.sweep(Date.now()), 10_000);
  sweep.unref();
  return {
    view: state.view,
    callerLeft: (callId) => state.callerLeft(callId, Date.now()),
    async stop() {
      stopped = true;
      clearInterval(sweep);
      redis.disconnect();
      await loop;
    },
  };
}

/**
 * The series of every provisioned trunk exist from the start, at 0, so the first call, refusal or
 * failed transfer is an increase that rate() and increase() (and so the alert rules) can see.
 */
function startAtZero(trunks: string[]): void {
  const results = ['allowed', 'rate_limited', 'over_capacity', 'failed_open', 'failed_closed'];
  for (const trunk of trunks) {
    callsStarted.inc({ trunk }, 0);
    for (const result of results) admissionDecisions.inc({ trunk, result }, 0);
    for (const outcome of OUTCOMES) {
      for (const language of LANGUAGES) callsEnded.inc({ trunk, outcome, language }, 0);
    }
    for (const language of LANGUAGES) emergencies.inc({ trunk, language }, 0);
    for (const reason of ['handoff', 'emergency']) {
      for (const result of ['transferred', 'failed', 'refused']) {
        transfers.inc({ trunk, reason, result }, 0);
      }
    }
  }
}

function parseEvent(fields: string[]): CallEvent | undefined {
  const at = fields.indexOf('e');
  if (at < 0 || at % 2 !== 0) return undefined;
  try {
    const event = JSON.parse(fields[at + 1]!) as CallEvent;
    if (event.v !== CALL_EVENTS_VERSION || typeof event.callId !== 'string') return undefined;
    return event;
  } catch {
    return undefined;
  }
}

/**
 * What the events mean: metrics (not for replayed events, which were counted before a restart)
 * and the live-call list. Separate from the stream so it can be tested on its own.
 */
export function createCallEventState(trunkName: TrunkNames) {
  const live = new Map<string, LiveCall & { callerLeftAt?: number }>();
  const samples: LatencySample[] = [];

  const setActive = () => {
    callsActive.reset();
    for (const call of live.values()) callsActive.inc({ trunk: call.trunk, state: call.state });
  };

  const apply = (event: CallEvent, { replay }: { replay: boolean }) => {
    const trunk = trunkName(event.trunkId);
    const call = live.get(event.callId);
    if (call && event.pseudonym) call.pseudonym = event.pseudonym;
    if (!replay) callEventsRead.inc({ type: code(event.type) });
    const count = (fn: () => void) => {
      if (!replay) fn();
    };
    switch (event.type) {
      case 'started':
        if (event.recovery === 0) count(() => callsStarted.inc({ trunk }));
        live.set(event.callId, {
          callId: event.callId,
          ...(event.pseudonym ? { pseudonym: event.pseudonym } : {}),
          trunk,
          language: label(event.language, (v) => LANGUAGE.test(v)),
          // A recovered call was already talking; a new one rings until its leg is active.
          state: event.recovery > 0 && call ? call.state : 'ringing',
          startedAt: call?.startedAt ?? event.at,
        });
        break;
      case 'admission':
        count(() => {
          admissionDecisions.inc({ trunk, result: code(event.result) });
          if (isDuration(event.seconds))
            admissionDecisionSeconds.observe({ result: code(event.result) }, event.seconds);
        });
        break;
      case 'redis_failure':
        count(() => admissionRedisFailures.inc({ operation: code(event.operation) }));
        break;
      case 'answered':
        if (call) call.state = 'active';
        if (isDuration(event.seconds)) count(() => answerSeconds.observe({ trunk }, event.seconds));
        break;
      case 'greeted':
        if (isDuration(event.seconds))
          count(() => greetingSeconds.observe({ trunk }, event.seconds));
        break;
      case 'turn': {
        const stages: LatencySample['stages'] = {};
        for (const stage of TURN_STAGES) {
          const seconds = event.stages?.[stage];
          if (!isDuration(seconds)) continue;
          stages[stage] = seconds;
          count(() => turnStageSeconds.observe({ stage }, seconds));
        }
        samples.push({ at: event.at, stages });
        if (samples.length > LATENCY_SAMPLES) samples.shift();
        break;
      }
      case 'language':
        if (call) call.language = label(event.language, (v) => LANGUAGE.test(v));
        break;
      case 'emergency':
        count(() => emergencies.inc({ trunk, language: call?.language ?? 'other' }));
        break;
      case 'transfer':
        if (event.result === undefined) {
          if (call) call.state = 'transferring';
        } else {
          if (call && call.state === 'transferring') call.state = 'active';
          count(() =>
            transfers.inc({ trunk, reason: code(event.reason), result: code(event.result) }),
          );
        }
        break;
      case 'message':
        count(() =>
          voicemailMessages.inc({
            trunk,
            reason: code(event.reason),
            callback: event.callback ? 'yes' : 'no',
          }),
        );
        break;
      case 'callback':
        count(() => callbacks.inc({ result: code(event.result) }));
        break;
      case 'backend_turn':
        count(() => backendTurns.inc({ outcome: code(event.outcome) }));
        break;
      case 'backend_reconnect':
        count(() => backendReconnects.inc());
        break;
      case 'backend_first_delta':
        if (isDuration(event.seconds)) count(() => backendFirstDelta.observe(event.seconds));
        break;
      case 'ended': {
        const outcome = label(event.outcome, (v) => OUTCOMES.has(v));
        count(() => {
          callsEnded.inc({ trunk, outcome, language: call?.language ?? 'other' });
          if (outcome === 'failed') callFailures.inc({ trunk, failure: code(event.failure) });
        });
        live.delete(event.callId);
        break;
      }
    }
    setActive();
  };

  const view: CallEventsView = {
    liveCalls: () =>
      [...live.values()]
        .map(({ callerLeftAt: _left, ...call }) => call)
        .sort((a, b) => a.startedAt - b.startedAt),
    latencySamples: () => [...samples],
  };

  return {
    apply,
    view,
    callerLeft(callId: string, now: number) {
      const call = live.get(callId);
      if (call) call.callerLeftAt ??= now;
    },
    /** Drops calls whose end never came: the caller left a while ago, or it is impossibly old. */
    sweep(now: number) {
      for (const [id, call] of live) {
        const left =
          call.callerLeftAt !== undefined && now - call.callerLeftAt > CALLER_LEFT_GRACE_MS;
        if (left || now - call.startedAt > MAX_CALL_MS) live.delete(id);
      }
      setActive();
    },
  };
}

/**
 * Trunk names from LiveKit, looked up once per unknown id (at most every 30 s): only trunks this
 * deployment provisioned get their name; anything else is `other`.
 */
function livekitTrunkNames(config: SwitchboardConfig, logger: Logger): TrunkNames {
  const names = new Map<string, string>();
  const sip = new SipClient(
    livekitHttpUrl(config.livekit.url),
    config.livekit.apiKey,
    config.livekit.apiSecret,
  );
  let lastLookup = 0;
  const refresh = async () => {
    try {
      for (const trunk of await sip.listSipInboundTrunk()) {
        const mark = ownedBy(config.deployment, trunk);
        names.set(trunk.sipTrunkId, mark ? mark.name : 'other');
      }
    } catch (err) {
      logger.warn({ err: String(err) }, 'call events: trunk names unavailable');
    }
  };
  void refresh();
  return (trunkId) => {
    if (trunkId === undefined) return 'none';
    const name = names.get(trunkId);
    if (name !== undefined) return name;
    if (Date.now() - lastLookup > 30_000) {
      lastLookup = Date.now();
      void refresh();
    }
    return 'other';
  };
}
