import type { RoomServiceClient } from 'livekit-server-sdk';

/** `ParticipantInfo.Kind.SIP` on the wire. */
const SIP_KIND = 3;

/**
 * Counts live SIP calls per trunk: participants of kind SIP whose `sip.trunkID` attribute is one
 * of `trunkIds` and whose call has not hung up. One listRooms plus one listParticipants per
 * room, a few at a time; only run when a trunk is about to be deleted.
 */
export async function activeCallsByTrunk(
  rooms: RoomServiceClient,
  trunkIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (trunkIds.length === 0) return counts;
  const wanted = new Set(trunkIds);
  const all = await rooms.listRooms();
  const queue = [...all];
  const worker = async () => {
    for (let room = queue.shift(); room; room = queue.shift()) {
      const participants = await rooms.listParticipants(room.name).catch(() => []);
      for (const p of participants) {
        const trunk = p.attributes['sip.trunkID'];
        if (Number(p.kind) !== SIP_KIND || trunk === undefined || !wanted.has(trunk)) continue;
        if (p.attributes['sip.callStatus'] === 'hangup') continue;
        counts.set(trunk, (counts.get(trunk) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  return counts;
}
