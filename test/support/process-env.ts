import { readdirSync, readFileSync } from 'node:fs';

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
  // A job's espeak-ng child can live only tens of ms (a short answer): besides the full scan, the
  // job processes' own child lists are read every millisecond. Node spawns from its main thread,
  // so /proc/<pid>/task/<pid>/children holds them.
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
