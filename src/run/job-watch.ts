import type { AgentServer } from '@livekit/agents';
import { ParticipantInfo_Kind } from '@livekit/protocol';
import type { RoomServiceClient } from 'livekit-server-sdk';

interface WatchedJob {
  room: string;
  /** The agent's participant identity in that room. */
  identity: string;
}

type RoomsApi = Pick<RoomServiceClient, 'listParticipants' | 'removeParticipant'>;
type Log = (fields: Record<string, unknown>, msg: string) => void;

/**
 * A job process that dies (a crash, the OOM killer, kill -9) stays in its room as far as
 * livekit-server knows for well over 15 s, and its caller sits in silence. The worker sees the
 * job vanish from its own list; if the caller's SIP leg is still in that room, the worker removes
 * the dead agent participant, so the control plane sees the agent leave and gives the call a
 * fresh one. A job that ended normally deleted its room first, so nothing is left to do.
 */
export function watchJobs(
  server: Pick<AgentServer, 'activeJobs'>,
  rooms: RoomsApi,
  log: Log,
  intervalMs = 500,
): () => void {
  let known = new Map<string, WatchedJob>();
  const timer = setInterval(() => {
    const now = new Map<string, WatchedJob>(
      server.activeJobs.map((j) => [
        j.job.id,
        { room: j.job.room?.name ?? '', identity: j.acceptArguments.identity },
      ]),
    );
    for (const [id, job] of known) if (!now.has(id)) void evictIfStranded(rooms, job, log);
    known = now;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function evictIfStranded(
  rooms: RoomsApi,
  job: WatchedJob,
  log: Log,
): Promise<boolean> {
  const participants = await rooms.listParticipants(job.room).catch(() => []);
  const stranded =
    participants.some((p) => p.identity === job.identity) &&
    participants.some((p) => p.kind === ParticipantInfo_Kind.SIP);
  if (!stranded) return false;
  try {
    await rooms.removeParticipant(job.room, job.identity);
    log({ room: job.room }, 'job process died mid-call; its agent removed for recovery');
    return true;
  } catch (err) {
    log({ err: err instanceof Error ? err.message : String(err) }, 'could not remove a dead agent');
    return false;
  }
}
