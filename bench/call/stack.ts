/**
 * The stack the bench measures: built from the committed tree (`git archive HEAD`) into a
 * private folder, so the figures belong to one commit and not to whatever half-finished change
 * sits in the shared working tree's `dist/`.
 */
import { execFileSync, execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadE2eConfig, ROOT, E2E_ENV, type StackHandle } from '../../test/support/stack.js';

export interface Build {
  root: string;
  commit: string;
  remove(): void;
}

/** HEAD, compiled in a temp folder that shares the working tree's node_modules. */
export function buildHead(): Build {
  const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
  }).trim();
  const root = mkdtempSync(join(tmpdir(), 'sb-bench-build-'));
  execSync(`git -C ${JSON.stringify(ROOT)} archive HEAD | tar -x -C ${JSON.stringify(root)}`);
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  return { root, commit, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** `switchboard up` from `root` (a build, or the working tree), ready when it says so. */
export async function startStack(root: string, configPath: string): Promise<StackHandle> {
  const config = loadE2eConfig(configPath);
  const runDir = mkdtempSync(join(tmpdir(), 'sb-bench-run-'));
  let out = '';
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'switchboard.js'), 'up', '--config', configPath, '--run-dir', runDir],
    { env: { ...process.env, ...E2E_ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // Whatever way the bench ends, the stack goes with it.
  process.once('exit', () => child.kill('SIGTERM'));
  const deadline = Date.now() + 180_000;
  while (!out.includes('Switchboard is up.')) {
    if (child.exitCode !== null) throw new Error(`switchboard up exited:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`switchboard up did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    configPath,
    config,
    runDir,
    logDir: join(runDir, 'logs'),
    controlPlaneUrl: `http://127.0.0.1:${config.controlPlane.port}`,
    livekitHttpUrl: `http://127.0.0.1:${config.livekit.port}`,
    process: child,
    output: () => out,
  };
}
