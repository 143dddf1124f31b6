import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessEnv {
  pid: number;
  /** `job` for a job process forked by the agent worker, else the program's name (`espeak-ng`). */
  kind: string;
  environ: string;
}

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

function readProcs(): Proc[] {
  const procs: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces; ppid is the second field after it.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      procs.push({ pid: Number(entry), ppid, comm, cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  return procs;
}

/**
 * Samples, every 10 ms while `during` runs, the environment of every process under the agent
 * worker: its job processes and whatever they spawn (espeak-ng lives tens to hundreds of ms).
 */
export async function sampleAgentEnvironments<T>(
  during: () => Promise<T>,
): Promise<{ result: T; seen: ProcessEnv[] }> {
  const seen = new Map<number, ProcessEnv>();
  let sampling = true;
  const sample = async () => {
    while (sampling) {
      const procs = readProcs();
      const worker = procs.find((p) => p.cmdline.includes('run/agent-worker.js'));
      if (worker) {
        const under = new Set([worker.pid]);
        // Parents come before children in /proc order often, but not always: iterate to a fixpoint.
        for (let grew = true; grew;) {
          grew = false;
          for (const p of procs)
            if (under.has(p.ppid) && !under.has(p.pid)) {
              under.add(p.pid);
              grew = true;
            }
        }
        for (const p of procs) {
          if (!under.has(p.pid) || p.pid === worker.pid || seen.has(p.pid)) continue;
          try {
            const environ = readFileSync(`/proc/${p.pid}/environ`, 'utf8').replace(/\0/g, '\n');
            seen.set(p.pid, { pid: p.pid, kind: p.ppid === worker.pid ? 'job' : p.comm, environ });
          } catch {
            // Gone already.
          }
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  // Short-lived children (a few ms): besides the full scan, the job processes' own child lists are
  // read every millisecond. Node spawns from its main thread, so /proc/<pid>/task/<pid>/children
  // holds them. espeak-ng, too short-lived to be sampled for sure, is recorded by espeakStarts().
  const watchJobChildren = async () => {
    while (sampling) {
      for (const job of [...seen.values()].filter((p) => p.kind === 'job')) {
        let children: string[] = [];
        try {
          children = readFileSync(`/proc/${job.pid}/task/${job.pid}/children`, 'utf8').split(' ');
        } catch {
          continue; // The job ended.
        }
        for (const child of children.filter(Boolean).map(Number)) {
          if (seen.has(child)) continue;
          try {
            const comm = readFileSync(`/proc/${child}/comm`, 'utf8').trim();
            // Forked but not yet exec'd: still the job's image; look again next time.
            if (comm === 'node' || comm === 'MainThread') continue;
            const environ = readFileSync(`/proc/${child}/environ`, 'utf8').replace(/\0/g, '\n');
            seen.set(child, { pid: child, kind: comm, environ });
          } catch {
            // Gone already.
          }
        }
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  const sampler = Promise.all([sample(), watchJobChildren()]);
  try {
    const result = await during();
    return { result, seen: [...seen.values()] };
  } finally {
    sampling = false;
    await sampler;
  }
}

/**
 * A job's espeak-ng child lives tens of ms, too short to be sampled from /proc for sure on a
 * loaded machine. So a stack can find the `espeak-ng` written into `dir` first on its PATH: it
 * records the environment it was started with (its own /proc environ: what the spawning process
 * passed) and its parent's pid, then execs the real one with the same environment. Returns `dir`.
 */
export function installEspeakRecorder(dir: string): string {
  const starts = join(dir, 'starts');
  mkdirSync(starts, { recursive: true });
  const real = execFileSync('sh', ['-c', 'command -v espeak-ng'], { encoding: 'utf8' }).trim();
  const record = `'${starts}/'$$.$PPID`;
  writeFileSync(
    join(dir, 'espeak-ng'),
    [
      '#!/bin/sh',
      `cat /proc/$$/environ > ${record}.tmp && mv ${record}.tmp ${record}.env`,
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'espeak-ng'), 0o755);
  return dir;
}

/** Every espeak-ng started through the recorder in `dir`: its parent's pid and its environment. */
export function espeakStarts(dir: string): Array<{ pid: number; ppid: number; environ: string }> {
  const starts = join(dir, 'starts');
  return readdirSync(starts)
    .filter((name) => name.endsWith('.env'))
    .map((name) => {
      const [pid, ppid] = name.split('.').map(Number) as [number, number];
      const environ = readFileSync(join(starts, name), 'utf8').replace(/\0/g, '\n');
      return { pid, ppid, environ };
    });
}
