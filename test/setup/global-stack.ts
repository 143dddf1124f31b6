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
