import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { PassThrough, type Transform } from 'node:stream';
import { join } from 'node:path';
import type { Logger } from '../telemetry/index.js';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the process exits. */
  exited: Promise<number | string>;
  /** SIGKILL to the whole group, at once: for a second Ctrl-C. */
  kill(): void;
  /** SIGTERM to the process (so it can drain its children), SIGKILL to its whole group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  /** The child's whole environment: nothing is inherited beyond it. */
  env: Record<string, string>;
  /** Output goes to `<logDir>/<name>.log`, or to `out` (a service's stdout) when given. */
  logDir?: string;
  out?: NodeJS.WritableStream;
  logger: Logger;
  /** Filters the process's output before it reaches the log file (the number scrubber). */
  filter?: () => Transform;
  /**
   * A nice value below 0, applied (to every thread, before it starts) where this process may raise
   * priorities (root, or RLIMIT_NICE); elsewhere the child runs at the normal priority.
   */
  priority?: number;
}

/**
 * Starts a child in its own process group, so that stopping it also stops anything it forked
 * (the agent worker forks one process per job), and that dies with this process. Output goes to
 * `<logDir>/<name>.log`, or to `out`.
 */
export function spawnManaged({
  name,
  command,
  args,
  env,
  logDir,
  out: sink,
  logger,
  filter,
  priority,
}: SpawnOptions): ManagedProcess {
  const logFile = sink ? '(stdout)' : join(logDir ?? '.', `${name}.log`);
  const out: NodeJS.WritableStream = sink ?? createWriteStream(logFile, { flags: 'a' });
  // setpriv (util-linux, in every Debian) asks the kernel to SIGKILL the child when its parent
  // dies: a `kill -9` of up (or of a `run` role) leaves no component running to hold the ports.
  const niced =
    priority !== undefined && mayRaisePriority() ? ['nice', '-n', String(priority)] : [];
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...niced, command, ...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // stdout and stderr each get their own filter so lines from the two never interleave mid-line.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.pipe(filter ? filter() : new PassThrough()).pipe(out, { end: false });
  }

  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!sink) out.end();
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      logger.error({ component: name, err: err.message }, 'process failed to start');
      if (!sink) out.end();
      resolve('spawn-error');
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  return {
    name,
    child,
    logFile,
    exited,
    kill: () => signalGroup('SIGKILL'),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The group outlives its leader: job processes forked by the worker must not linger.
      signalGroup('SIGKILL');
    },
  };
}

/** Whether this process may raise a priority: it tries on itself, then puts its own back. */
function mayRaisePriority(): boolean {
  const own = getPriority();
  try {
    setPriority(own - 1);
    setPriority(own);
    return true;
  } catch {
    return false;
  }
}
