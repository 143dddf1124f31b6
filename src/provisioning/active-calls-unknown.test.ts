import type { RoomServiceClient, SipClient } from 'livekit-server-sdk';
import { describe, expect, it, vi } from 'vitest';
import { activeCallsByTrunk } from './active-calls.js';
import { apply } from './apply.js';
import type { ProvisioningClient } from './client.js';
import type { Plan } from './plan.js';

const SIP_KIND = 3;
const caller = (trunkId: string) => ({
  kind: SIP_KIND,
  attributes: { 'sip.trunkID': trunkId, 'sip.callStatus': 'active' },
});

function rooms(participants: (room: string) => Promise<unknown[]>): RoomServiceClient {
  return {
    listRooms: async () => [{ name: 'call-a' }, { name: 'call-b' }],
    listParticipants: participants,
  } as unknown as RoomServiceClient;
}

const serverError = (status: number, code: string) =>
  Object.assign(new Error(`twirp ${code}`), { status, code });

describe('active calls when a room cannot be read', () => {
  it('counts the rooms it can read and skips a room that has just ended', async () => {
    const client = rooms(async (room) => {
      if (room === 'call-a') return [caller('ST_1')];
      throw serverError(404, 'not_found');
    });
    expect(await activeCallsByTrunk(client, ['ST_1'])).toEqual(new Map([['ST_1', 1]]));
  });

  it('rejects, rather than calling the trunk idle, when participants cannot be listed', async () => {
    const client = rooms(async (room) => {
      if (room === 'call-a') return [];
      throw serverError(503, 'unavailable');
    });
    await expect(activeCallsByTrunk(client, ['ST_1'])).rejects.toThrow(/unavailable/);
  });

  it('so apply --prune keeps the trunk and reports why, unless --force', async () => {
    const deleteSipTrunk = vi.fn(async () => undefined);
    const client: ProvisioningClient = {
      sip: { deleteSipTrunk } as unknown as SipClient,
      rooms: rooms(async () => {
        throw serverError(503, 'unavailable');
      }),
    };
    const found = {
      changes: [
        {
          kind: 'inboundTrunk',
          action: 'delete',
          name: 'old',
          id: 'ST_1',
          reason: 'not in config',
        },
      ],
      desired: { inboundTrunks: [], outboundTrunks: [], dispatchRules: [] },
      warnings: [],
      hasChanges: true,
    } as unknown as Plan;
    const kept = await apply(found, client, { prune: true });
    expect(kept.ok).toBe(false);
    expect(kept.failed.map((f) => f.name)).toEqual(['old']);
    expect(kept.failed[0]?.error).toMatch(/unavailable/);
    expect(deleteSipTrunk).not.toHaveBeenCalled();

    const forced = await apply(found, client, { prune: true, force: true });
    expect(forced.ok).toBe(true);
    expect(deleteSipTrunk).toHaveBeenCalledWith('ST_1');
  });
});
