import { RoomServiceClient } from 'livekit-server-sdk';
import type { StackHandle } from './stack.js';

export function roomService(stack: StackHandle): RoomServiceClient {
  return new RoomServiceClient(
    stack.livekitHttpUrl,
    stack.config.livekit.apiKey,
    stack.config.livekit.apiSecret,
  );
}

/** Polls until `probe` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return undefined;
}

/** Number of jobs the agent worker is running right now, from its own HTTP endpoint. */
export async function activeJobs(stack: StackHandle): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${stack.config.agent.healthPort}/worker`);
  const body = (await res.json()) as { active_jobs: number };
  return body.active_jobs;
}
