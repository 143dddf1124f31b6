import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { E2E_ENV, ROOT, type StackHandle } from './stack.js';

/** `switchboard privacy <verb> --caller <number>` against the stack's config; throws on failure. */
export function privacyCli(
  stack: Pick<StackHandle, 'configPath'>,
  verb: 'export' | 'erase',
  number: string,
): string {
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'switchboard.js'),
      'privacy',
      verb,
      '--caller',
      number,
      '--config',
      stack.configPath,
    ],
    { env: { ...process.env, ...E2E_ENV }, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`privacy ${verb} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** The caller's stored calls (transcripts with their outcome). */
export function exportCalls<T = { outcome: string | null; turns: unknown[] }>(
  stack: Pick<StackHandle, 'configPath'>,
  number: string,
): T[] {
  return (JSON.parse(privacyCli(stack, 'export', number)) as { calls: T[] }).calls;
}

/**
 * Starts a suite from a clean slate for one caller, whatever ran before: GDPR erasure deletes the
 * caller's transcripts and rate-limit entries, so suites pass in any order and on reruns.
 */
export function eraseCaller(stack: Pick<StackHandle, 'configPath'>, number: string): void {
  privacyCli(stack, 'erase', number);
}
