import type { CallEvents } from '../agent/call/events.js';
import { ParticipantInfo, ParticipantInfo_Kind } from '@livekit/protocol';
import { AccessToken } from 'livekit-server-sdk';
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import {
  createCallRecovery,
  LIVEKIT_WEBHOOK_PATH,
  unhandledCallRecords,
  type RecoveryLivekit,
} from './call-recovery.js';

const config = parseConfig(
  {
    admission: { pseudonymKeys: [{ id: 'k1', secret: 'k'.repeat(32) }] },
    agent: { handoff: { target: 'sip:helpdesk@127.0.0.1:5099' } },
  },
  'test',
  {},
);
const logger = createLogger({ level: 'silent' });
const caller = new ParticipantInfo({
  identity: 'sip_caller',
  kind: ParticipantInfo_Kind.SIP,
  attributes: { 'sip.callID': 'SCL_test' },
});
const agent = new ParticipantInfo({ identity: 'agent-AJ_1', kind: ParticipantInfo_Kind.AGENT });

/** LiveKit as recovery sees it; `takenAfter` dispatches find no worker before one is taken. */
function fakeLivekit(participants: ParticipantInfo[], takenAfter = 0) {
  let created = 0;
  return {
    listParticipants: vi.fn(async () => participants),
    createDispatch: vi.fn(async () => `AD_${++created}`),
    dispatchTaken: vi.fn(async () => created > takenAfter),
    deleteDispatch: vi.fn(async () => undefined),
    transfer: vi.fn(async () => ({})),
  } satisfies RecoveryLivekit;
}
const fast = { windowMs: 200, checkMs: 10, settleMs: 0 };

describe('call recovery', () => {
  it('gives a caller left alone a fresh agent, twice, then hands the caller to the helpdesk', async () => {
    const livekit = fakeLivekit([caller]);
    const { recover } = createCallRecovery({ config, logger, livekit, ...fast });
    expect(await recover('call-1')).toBe('redispatched');
    expect(await recover('call-1')).toBe('redispatched');
    expect(livekit.createDispatch.mock.calls).toEqual([
      ['call-1', 'switchboard-agent', '{"recovery":1}'],
      ['call-1', 'switchboard-agent', '{"recovery":2}'],
    ]);
    expect(livekit.deleteDispatch).not.toHaveBeenCalled();
    expect(await recover('call-1')).toBe('handed_off');
    expect(livekit.transfer).toHaveBeenCalledWith(
      'call-1',
      'sip_caller',
      'sip:helpdesk@127.0.0.1:5099',
    );
  });

  it('leaves a room alone when an agent is still there or the caller has gone', async () => {
    for (const participants of [[caller, agent], [agent], []]) {
      const livekit = fakeLivekit(participants);
      const { recover } = createCallRecovery({ config, logger, livekit, ...fast });
      expect(await recover('call-2')).toBe('none');
      expect(livekit.createDispatch).not.toHaveBeenCalled();
      expect(livekit.transfer).not.toHaveBeenCalled();
    }
  });

  it('makes the dispatch again until a worker takes it (a lone worker restarting)', async () => {
    const livekit = fakeLivekit([caller], 3);
    const { recover } = createCallRecovery({ config, logger, livekit, ...fast });
    expect(await recover('call-3')).toBe('redispatched');
    expect(livekit.createDispatch).toHaveBeenCalledTimes(4);
    // The three nobody took are withdrawn, so a worker arriving late cannot start a second agent.
    expect(livekit.deleteDispatch.mock.calls).toEqual([
      ['call-3', 'AD_1'],
      ['call-3', 'AD_2'],
      ['call-3', 'AD_3'],
    ]);
  });

  it('hands the caller to the helpdesk when no worker takes the call in time', async () => {
    const livekit = fakeLivekit([caller], Infinity);
    livekit.createDispatch.mockRejectedValueOnce(new Error('livekit unreachable'));
    const { recover } = createCallRecovery({ config, logger, livekit, ...fast });
    expect(await recover('call-3')).toBe('handed_off');
    expect(livekit.transfer).toHaveBeenCalledTimes(1);
  });

  it('acts on a signed participant_left of an agent and refuses an unsigned event', async () => {
    const livekit = fakeLivekit([caller]);
    const { app } = createCallRecovery({ config, logger, livekit, ...fast });
    const body = JSON.stringify({
      event: 'participant_left',
      room: { name: 'call-4' },
      participant: { identity: 'agent-AJ_1', kind: 'AGENT' },
    });
    const post = (authorization?: string) =>
      app.request(LIVEKIT_WEBHOOK_PATH, {
        method: 'POST',
        body,
        headers: authorization ? { Authorization: authorization } : {},
      });
    expect((await post()).status).toBe(401);
    expect(livekit.listParticipants).not.toHaveBeenCalled();

    const token = new AccessToken(config.livekit.apiKey, config.livekit.apiSecret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    expect((await post(await token.toJwt())).status).toBe(200);
    await vi.waitFor(() => expect(livekit.createDispatch).toHaveBeenCalledTimes(1));
  });
});

describe('a call no agent took', () => {
  const pseudonymizer = {
    pseudonymize: (raw: string | undefined) => (raw ? 'k1_caller' : undefined),
  };

  function store(existing: boolean) {
    return {
      get: vi.fn(async () => (existing ? ({} as never) : undefined)),
      startCall: vi.fn(async () => undefined),
      finishCall: vi.fn(async () => true),
    };
  }

  it('is recorded failed:no_agent under the caller pseudonym, unless an agent recorded it', async () => {
    const fresh = store(false);
    const told: unknown[] = [];
    const records = unhandledCallRecords({
      store: fresh,
      pseudonymizer,
      language: 'nl',
      logger,
      openEvents: (callId, trunkId) => recordingEvents(told, { callId, trunkId }),
    });
    await records.record({ callId: 'SCL_x', caller: '+3225550142', trunkId: 'ST_1' });
    expect(told).toEqual([
      {
        callId: 'SCL_x',
        trunkId: 'ST_1',
        pseudonym: 'k1_caller',
        type: 'ended',
        outcome: 'failed',
        failure: 'no_agent',
        seconds: 0,
      },
    ]);
    expect(fresh.startCall).toHaveBeenCalledWith(
      expect.objectContaining({ callId: 'SCL_x', pseudonym: 'k1_caller', trunkId: 'ST_1' }),
    );
    expect(fresh.finishCall).toHaveBeenCalledWith(
      'SCL_x',
      expect.objectContaining({ outcome: 'failed', failure: 'no_agent' }),
    );

    const handled = store(true);
    told.length = 0;
    await unhandledCallRecords({
      store: handled,
      pseudonymizer,
      language: 'nl',
      logger,
      openEvents: (callId, trunkId) => recordingEvents(told, { callId, trunkId }),
    }).record({
      callId: 'SCL_y',
      caller: undefined,
      trunkId: undefined,
    });
    expect(handled.startCall).not.toHaveBeenCalled();
    expect(told).toEqual([]);
  });

  it('is reported by a signed participant_left of the caller', async () => {
    const unhandled = { record: vi.fn(async () => undefined) };
    const { app } = createCallRecovery({
      config,
      logger,
      livekit: fakeLivekit([]),
      unhandled,
      ...fast,
    });
    const body = JSON.stringify({
      event: 'participant_left',
      room: { name: 'call-5' },
      participant: {
        identity: 'sip_caller',
        kind: 'SIP',
        attributes: {
          'sip.callID': 'SCL_z',
          'sip.trunkID': 'ST_1',
          'sip.phoneNumber': '+3225550142',
        },
      },
    });
    const token = new AccessToken(config.livekit.apiKey, config.livekit.apiSecret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    const res = await app.request(LIVEKIT_WEBHOOK_PATH, {
      method: 'POST',
      body,
      headers: { Authorization: await token.toJwt() },
    });
    expect(res.status).toBe(200);
    expect(unhandled.record).toHaveBeenCalledWith({
      callId: 'SCL_z',
      caller: '+3225550142',
      trunkId: 'ST_1',
    });
  });
});

/** Call events that land in `told`, each with the call it belongs to. */
function recordingEvents(
  told: unknown[],
  call: { callId: string; trunkId: string | undefined },
): CallEvents {
  let pseudonym: string | undefined;
  return {
    emit: (body) => told.push({ ...call, pseudonym, ...body }),
    setPseudonym: (value) => (pseudonym = value),
    flushed: async () => undefined,
    dropped: 0,
  };
}
