import type { Logger } from '../../telemetry/index.js';

/**
 * What a call holds, released in reverse order of acquisition, each step on its own: one that
 * fails is logged and the others still run. `run` is the call's `finally`.
 */
export interface Teardown {
  defer(step: string, release: () => unknown): void;
  run(): Promise<void>;
}

export function createTeardown(logger: Logger): Teardown {
  const steps: { step: string; release: () => unknown }[] = [];
  return {
    defer(step, release) {
      steps.push({ step, release });
    },
    async run() {
      for (const { step, release } of steps.splice(0).reverse()) {
        try {
          await release();
        } catch (err) {
          logger.warn(
            { step, err: err instanceof Error ? err.message : String(err) },
            'teardown step failed',
          );
        }
      }
    },
  };
}
