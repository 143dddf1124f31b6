import { spawn } from 'node:child_process';
import { join } from 'node:path';

const SCENARIO = join(import.meta.dirname, '..', 'sipp', 'helpdesk-uas.xml');

export interface SippUas {
  /** Resolves with sipp's exit code: 0 once it has answered and completed one call. */
  done: Promise<number | null>;
  stop(): void;
}

/**
 * A human helpdesk on the wire: sipp runs `test/sipp/helpdesk-uas.xml` (INVITE → 180 → 200 with
 * G.722, then waits for the BYE) on 127.0.0.1:`port`, and exits 0 when that one call completed.
 */
export function startSippUas(port: number, timeoutSeconds = 90): SippUas {
  const child = spawn(
    'sipp',
    [
      '-sf',
      SCENARIO,
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      '1',
      '-timeout',
      `${timeoutSeconds}s`,
      '-timeout_error',
      '-nostdin',
    ],
    {
      stdio: 'ignore',
    },
  );
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { done, stop: () => child.kill('SIGKILL') };
}
