import { ParticipantInfo, ParticipantInfo_Kind } from '@livekit/protocol';
import { describe, expect, it, vi } from 'vitest';
import { evictIfStranded } from './job-watch.js';

const sip = new ParticipantInfo({ identity: 'sip_caller', kind: ParticipantInfo_Kind.SIP });
const agent = new ParticipantInfo({ identity: 'agent-AJ_1', kind: ParticipantInfo_Kind.AGENT });
const job = { room: 'call-1', identity: 'agent-AJ_1' };

function rooms(participants: ParticipantInfo[] | Error) {
  return {
    listParticipants: vi.fn(async () => {
      if (participants instanceof Error) throw participants;
      return participants;
    }),
    removeParticipant: vi.fn(async () => undefined),
  };
}

describe('a job that vanished from the worker', () => {
  it('has its dead agent removed when the caller is still in the room', async () => {
    const api = rooms([sip, agent]);
    expect(await evictIfStranded(api, job, () => undefined)).toBe(true);
    expect(api.removeParticipant).toHaveBeenCalledWith('call-1', 'agent-AJ_1');
  });

  it('is left alone when its call ended (room gone, caller gone, agent already gone)', async () => {
    for (const state of [new Error('room not found'), [agent], [sip]]) {
      const api = rooms(state);
      expect(await evictIfStranded(api, job, () => undefined)).toBe(false);
      expect(api.removeParticipant).not.toHaveBeenCalled();
    }
  });
});
