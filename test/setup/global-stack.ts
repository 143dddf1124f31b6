import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the e2e run (which runs the built CLI: scripts/test.sh builds first) a state folder where each started `switchboard up` leaves
 * its pid; teardown stops any that a suite left running.
 */
export default function setup(): () => Promise<void> {
  const state = mkdtempSync(join(tmpdir(), 'sb-e2e-state-'));
  process.env.SWITCHBOARD_E2E_STATE = state;
  return async () => {
    for (const file of readdirSync(state).filter((f) => f.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(state, file), 'utf8'));
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue;
      }
      for (let i = 0; i < 300; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          break;
        }
      }
    }
    rmSync(state, { recursive: true, force: true });
  };
}
