import type { Logger } from '../telemetry/index.js';
import type { ManagedProcess } from './managed-process.js';

/** One running part of the stack. `crashed` settles when it exits by itself. */
export interface Part {
  stop(): Promise<void>;
  kill(): void;
  crashed: Promise<string>;
}

export const NEVER = new Promise<string>(() => undefined);

/** A managed process as a part: stopped with `graceMs` to drain. */
export function processPart(proc: ManagedProcess, graceMs = 5000): Part {
  return {
    stop: () => proc.stop(graceMs),
    kill: () => proc.kill(),
    crashed: proc.exited.then((code) => `${proc.name} exited (${code}); see ${proc.logFile}`),
  };
}

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** A part that ran this long before crashing starts its backoff over. */
const STABLE_MS = 60_000;

/**
 * Starts a part and restarts it whenever it crashes, after a backoff that doubles from 1 s to
 * 30 s (and starts over once the part ran a minute), logging each crash and restart. The returned
 * part never reports a crash: the stack keeps running, and /readyz says what is down meanwhile.
 */
export async function supervise(
  name: string,
  start: () => Promise<Part>,
  logger: Logger,
): Promise<Part> {
  let current = await start();
  let stopping = false;
  let backoffMs = FIRST_BACKOFF_MS;
  /** A restart in flight: stop() waits for it, so nothing it started outlives the stack. */
  let restarting: Promise<unknown> = Promise.resolve();
  const watch = (part: Part) => {
    const startedAt = Date.now();
    void part.crashed.then(async (why) => {
      if (stopping) return;
      if (Date.now() - startedAt > STABLE_MS) backoffMs = FIRST_BACKOFF_MS;
      logger.error({ component: name, why, restartInMs: backoffMs }, 'crashed; restarting');
      while (!stopping) {
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        if (stopping) return;
        try {
          const attempt = start().then((part) => (current = part));
          restarting = attempt.catch(() => undefined);
          await attempt;
          if (stopping) return;
          logger.info({ component: name }, 'restarted');
          watch(current);
          return;
        } catch (err) {
          logger.error(
            { component: name, err: String(err), restartInMs: backoffMs },
            'restart failed',
          );
        }
      }
    });
  };
  watch(current);
  return {
    async stop() {
      stopping = true;
      await restarting;
      await current.stop();
    },
    kill() {
      stopping = true;
      current.kill();
    },
    crashed: NEVER,
  };
}
