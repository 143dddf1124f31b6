import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every `lua` folder under src: read at run time next to the compiled code. */
function luaFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e: Dirent) => e.isDirectory())
    .flatMap((e) => {
      const path = join(dir, e.name);
      return e.name === 'lua' ? [path] : luaFolders(path);
    });
}

/**
 * The e2e suites run the built CLI (`bin/switchboard.js` imports `dist/`), so the run builds
 * first, as scripts/install.sh does: `npm run test:e2e` after an edit tests that edit, never a
 * stale `dist/`. A build that fails stops the run here, loudly.
 */
function build(): void {
  const started = Date.now();
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
    );
  } catch (err) {
    const out = err as { stdout?: string; stderr?: string };
    throw new Error(
      `e2e: the build (tsc -p tsconfig.build.json) failed; not running against a stale dist/:\n${out.stdout ?? ''}${out.stderr ?? ''}`,
    );
  }
  const src = join(ROOT, 'src');
  for (const folder of luaFolders(src)) {
    const target = join(ROOT, 'dist', relative(src, folder));
    rmSync(target, { recursive: true, force: true });
    cpSync(folder, target, { recursive: true });
  }
  console.log(`[e2e] built dist/ from src/ in ${Date.now() - started} ms`);
}

/**
 * Builds dist/, then gives the e2e run a state folder where each started `switchboard up` leaves
 * its pid; teardown stops any that a suite left running.
 */
export default function setup(): () => Promise<void> {
  build();
  const state = mkdtempSync(join(tmpdir(), 'sb-e2e-state-'));
  process.env.SWITCHBOARD_E2E_STATE = state;
  return async () => {
    // Still our `up` (a finished one's pid may have been reused by another process).
    const alive = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('switchboard.js');
      } catch {
        return false;
      }
    };
    const exited = async (pid: number, ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end;) {
        if (!alive(pid)) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return !alive(pid);
    };
    for (const file of readdirSync(state).filter((f) => f.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(state, file), 'utf8'));
      if (!alive(pid)) continue;
      // One SIGTERM, as Ctrl-C: `up` drains the worker and stops every process. Only if it is
      // still there after a minute does a second one make it kill everything at once.
      process.kill(pid, 'SIGTERM');
      if (!(await exited(pid, 60_000)) && alive(pid)) {
        process.kill(pid, 'SIGTERM');
        await exited(pid, 10_000);
      }
    }
    rmSync(state, { recursive: true, force: true });
  };
}
