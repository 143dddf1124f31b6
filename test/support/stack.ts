import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseConfig, type SwitchboardConfig } from '../../src/config/index.js';
import { installEspeakRecorder } from './process-env.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const E2E_CONFIG = join(ROOT, 'test', 'e2e', 'switchboard.e2e.yaml');

export interface StackHandle {
  configPath: string;
  config: SwitchboardConfig;
  runDir: string;
  logDir: string;
  controlPlaneUrl: string;
  livekitHttpUrl: string;
  process: ChildProcess;
  /** Everything `up` printed so far. */
  output: () => string;
  /** Where its espeak-ng starts are recorded (see installEspeakRecorder), when asked for. */
  espeakRecorder?: string;
}

let current: StackHandle | undefined;
// A stack must not outlive the test process, whatever way the run ends. Under the e2e global
// setup its teardown stops every `up` with one SIGTERM and waits for the drain; a second SIGTERM
// from here would make `up` kill everything at once instead, so this only covers runs without it.
process.once('exit', () => {
  if (!process.env.SWITCHBOARD_E2E_STATE) current?.process.kill('SIGTERM');
});

/** Environment the e2e stacks run with: the secrets the e2e configs reference. */
export const E2E_ENV: Record<string, string> = {
  SWITCHBOARD_PSEUDONYM_KEY: 'e2e-pseudonym-key-not-secret',
};

export function loadE2eConfig(path: string): SwitchboardConfig {
  return parseConfig(parse(readFileSync(path, 'utf8')) ?? {}, path, { ...process.env, ...E2E_ENV });
}

/**
 * The stack for a suite. Suites run one after another in one process; a suite that asks for the
 * config already running shares that stack, otherwise the running one is stopped first.
 */
export async function useStack(configPath = E2E_CONFIG): Promise<StackHandle> {
  if (current && current.configPath === configPath && current.process.exitCode === null)
    return current;
  if (current) await stopStack(current);
  // The shared stacks record every espeak-ng they start (the secrets suite reads them).
  current = await startUp(configPath, [], { recordEspeak: true });
  return current;
}

export async function startUp(
  configPath: string,
  extraArgs: string[] = [],
  opts: { recordEspeak?: boolean } = {},
): Promise<StackHandle> {
  const config = loadE2eConfig(configPath);
  const runDir = mkdtempSync(join(tmpdir(), 'sb-e2e-run-'));
  const espeakRecorder = opts.recordEspeak
    ? installEspeakRecorder(join(runDir, 'espeak-recorder'))
    : undefined;
  let out = '';
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'switchboard.js'),
      'up',
      '--config',
      configPath,
      '--run-dir',
      runDir,
      ...extraArgs,
    ],
    {
      env: {
        ...process.env,
        ...E2E_ENV,
        ...(espeakRecorder ? { PATH: `${espeakRecorder}:${process.env.PATH ?? ''}` } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const state = process.env.SWITCHBOARD_E2E_STATE;
  if (state) writeFileSync(join(state, `${child.pid}.pid`), String(child.pid));

  const handle: StackHandle = {
    configPath,
    config,
    runDir,
    logDir: join(runDir, 'logs'),
    controlPlaneUrl: `http://127.0.0.1:${config.controlPlane.port}`,
    livekitHttpUrl: `http://127.0.0.1:${config.livekit.port}`,
    process: child,
    output: () => out,
    espeakRecorder,
  };
  const deadline = Date.now() + 180_000;
  while (!out.includes('Switchboard is up.')) {
    if (child.exitCode !== null)
      throw new Error(`switchboard up exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`switchboard up did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return handle;
}

/** SIGTERM, as Ctrl-C would; resolves with the exit code. */
export async function stopStack(handle: StackHandle): Promise<number | null> {
  if (current === handle) current = undefined;
  if (handle.process.exitCode === null) {
    const exited = new Promise<void>((r) => handle.process.once('exit', () => r()));
    handle.process.kill('SIGTERM');
    await exited;
  }
  return handle.process.exitCode;
}

/** Every line every process of the stack logged so far (`<run dir>/logs/*.log`). */
export function allLogLines(stack: StackHandle): string[] {
  return readdirSync(stack.logDir).flatMap((f) =>
    readFileSync(join(stack.logDir, f), 'utf8').split('\n'),
  );
}
