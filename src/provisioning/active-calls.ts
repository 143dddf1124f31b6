import type { RoomServiceClient } from 'livekit-server-sdk';

/** `ParticipantInfo.Kind.SIP` on the wire. */
const SIP_KIND = 3;

/**
 * A room that ended between listing rooms and listing its participants has no calls. Any other
 * failure means the calls are unknown, and unknown is never "idle": it propagates, so apply
 * keeps the trunk rather than cutting a call.
 */
function roomGoneOrThrow(err: unknown): [] {
  const { status, code } = (err ?? {}) as { status?: unknown; code?: unknown };
  if (status === 404 || code === 'not_found') return [];
  throw err;
}

/**
 * Counts live SIP calls per trunk: participants of kind SIP whose `sip.trunkID` attribute is one
 * of `trunkIds` and whose call has not hung up. One listRooms plus one listParticipants per
 * room, a few at a time; only run when a trunk is about to be deleted. Rejects when the
 * participants of a room that still exists cannot be listed.
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
      const participants = await rooms.listParticipants(room.name).catch(roomGoneOrThrow);
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
