import { EventEmitter } from 'node:events';
import { ParticipantKind } from '@livekit/rtc-node';
import { describe, expect, it, vi } from 'vitest';
import { pseudonymizerFromConfig } from '../../admission/index.js';
import { parseConfig } from '../../config/index.js';
import { createLogger } from '../../telemetry/index.js';
import { joinCall } from './join.js';

/** A job context whose room, once joined, has `sid` and already holds the caller. */
function jobIn(opts: { dispatchedTo: string; sid: string }) {
  const caller = {
    identity: 'sip_caller',
    info: { kind: ParticipantKind.SIP },
    attributes: { 'sip.callID': 'SCL_join' },
  };
  const room = Object.assign(new EventEmitter(), {
    remoteParticipants: new Map([[caller.identity, caller]]),
    getSid: vi.fn(async () => opts.sid),
  });
  return {
    job: { id: 'AJ_join', room: { sid: opts.dispatchedTo } },
    room,
    connect: vi.fn(async () => undefined),
  } as never;
}

const deps = {
  logger: createLogger({ level: 'silent' }),
  pseudonymizer: pseudonymizerFromConfig(parseConfig({}).admission),
  defaultLanguage: 'en' as const,
};

describe('joining the call', () => {
  it('takes the caller in the room the job was dispatched to', async () => {
    const call = await joinCall(jobIn({ dispatchedTo: 'RM_call', sid: 'RM_call' }), deps);
    expect(call.state.callId).toBe('SCL_join');
  });

  it('gives up at once when that room was deleted before the agent joined (it joined a new one)', async () => {
    await expect(
      joinCall(jobIn({ dispatchedTo: 'RM_call', sid: 'RM_recreated' }), deps),
    ).rejects.toThrow('the call ended before the agent joined');
  });
});
