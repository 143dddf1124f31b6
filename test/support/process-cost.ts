import { readdirSync, readFileSync } from 'node:fs';
import { descendants } from './processes.js';

const CLK_TCK = 100;
const PAGE_KB = 4;

/** ppid, CPU seconds (own plus waited-for children) and RSS of one process; undefined once gone. */
interface ProcStat {
  pid: number;
  ppid: number;
  cpuSeconds: number;
  rssMb: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name: state (3), ppid (4), … utime (14), stime (15), cutime (16),
    // cstime (17), … rss in pages (24).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return {
      pid,
      ppid: Number(f[1]),
      cpuSeconds: ticks / CLK_TCK,
      rssMb: (Number(f[21]) * PAGE_KB) / 1024,
    };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Proportional set size in MB: shared pages divided among the processes that map them. */
function pssMb(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The agent worker under a running `switchboard up`. */
export function findAgentWorker(upPid: number): number {
  const pid = descendants(upPid).find((p) => cmdline(p).includes('agent-worker.js'));
  if (pid === undefined) throw new Error(`no agent worker runs under up (pid ${upPid})`);
  return pid;
}

/** agents-js forks one of these per call (and keeps `numIdleProcesses` of them warm). */
const isJobProcess = (pid: number) => cmdline(pid).includes('job_proc');

export interface CostSample {
  at: number;
  /** Job processes alive now, idle or on a call. */
  jobProcesses: number;
  /** Summed over the job processes and their children (espeak-ng, pocketsphinx). */
  jobRssMb: number;
  jobPssMb: number;
  /**
   * CPU seconds of every process the worker ever forked, gone ones included (the worker's
   * cutime/cstime hold those it has reaped), so differences between samples are the jobs' work.
   */
  jobCpuSeconds: number;
  /** The worker's own CPU seconds and RSS. */
  workerCpuSeconds: number;
  workerRssMb: number;
  /** The worker's other children (agents-js's shared inference process), for all calls at once. */
  sharedCpuSeconds: number;
  sharedRssMb: number;
}

/** Every process's stat, from one pass over /proc. */
function readAll(): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s) all.set(s.pid, s);
  }
  return all;
}

/** One reading of the worker's subtree from /proc (one pass; PSS only for job processes). */
export function sampleWorker(workerPid: number): CostSample {
  const all = readAll();
  const worker = all.get(workerPid);
  if (!worker) throw new Error(`agent worker ${workerPid} is gone`);
  const childrenOf = new Map<number, number[]>();
  for (const s of all.values()) childrenOf.set(s.ppid, [...(childrenOf.get(s.ppid) ?? []), s.pid]);
  const under = (root: number): number[] => [
    root,
    ...(childrenOf.get(root) ?? []).flatMap((c) => under(c)),
  ];
  const children = childrenOf.get(workerPid) ?? [];
  const jobs = children.filter(isJobProcess);
  const jobTree = jobs.flatMap(under);
  const sharedTree = children.filter((p) => !isJobProcess(p)).flatMap(under);
  // Each live process counts its own time and its reaped children's; a live grandchild is not
  // yet in its parent's cutime, so every live process is counted once. What the worker reaped
  // (finished job processes) is in its own cutime.
  const sum = (pids: number[], f: (s: ProcStat) => number) =>
    pids.reduce((total, p) => total + (all.has(p) ? f(all.get(p)!) : 0), 0);
  const workerOwn = readOwnCpu(workerPid);
  return {
    at: Date.now(),
    jobProcesses: jobs.length,
    jobRssMb: sum(jobTree, (s) => s.rssMb),
    jobPssMb: jobTree.reduce((total, p) => total + pssMb(p), 0),
    jobCpuSeconds: worker.cpuSeconds - workerOwn + sum(jobTree, (s) => s.cpuSeconds),
    workerCpuSeconds: workerOwn,
    workerRssMb: worker.rssMb,
    sharedCpuSeconds: sum(sharedTree, (s) => s.cpuSeconds),
    sharedRssMb: sum(sharedTree, (s) => s.rssMb),
  };
}

/** utime + stime of one process, without its children. */
function readOwnCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** Samples the worker every `intervalMs` until stopped; returns every sample. */
export function startSampling(
  workerPid: number,
  intervalMs = 500,
): { stop: () => CostSample[]; samples: CostSample[] } {
  const samples: CostSample[] = [sampleWorker(workerPid)];
  const timer = setInterval(() => {
    try {
      samples.push(sampleWorker(workerPid));
    } catch {
      // The worker went away (a crash under load); what was sampled stays.
    }
  }, intervalMs);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** System-wide CPU seconds (all cores, busy only) from /proc/stat, for the machine's share. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const [user, nice, system, , , irq, softirq, steal] = cpu.map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    CLK_TCK
  );
}
