import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from './harness/redis-server.js';
import { firstVoicedMs, silenceWav } from './support/audio.js';
import { callWithBaresip, heardSince, type CallResult } from './support/baresip.js';
import { WAV_DIR } from './support/calls.js';
import { eventually } from './support/livekit.js';
import { scrape, total } from './support/metrics.js';
import { exportCalls } from './support/privacy-cli.js';
import { alive, descendants } from './support/processes.js';
import { startService, stopService, type Service } from './support/services.js';
import { E2E_ENV, ROOT } from './support/stack.js';

const CONFIG = join(ROOT, 'test', 'e2e', 'worker-faults.e2e.yaml');
const WORKER_PORTS = [62082, 62083];
const METRICS_URL = 'http://127.0.0.1:62080/metrics';
const KILLED_CALLER = '+3225550145';
const DRAINED_CALLER = '+3225550146';
const NEW_CALLER = '+3225550147';
const CRASHED_JOB_CALLER = '+3225550148';

/** Calls the worker on `port` is running, from agents-js's own endpoint. */
async function activeJobs(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/worker`);
  return ((await res.json()) as { active_jobs: number }).active_jobs;
}

/** Which of the two workers took the call just placed (index into WORKER_PORTS), within 15 s. */
function workerHoldingCall(): Promise<number | undefined> {
  return eventually(async () => {
    const jobs = await Promise.all(WORKER_PORTS.map(activeJobs));
    const i = jobs.findIndex((n) => n > 0);
    return i >= 0 ? i : undefined;
  }, 15_000);
}

/** The agents-js worker process under a `run agent` service (its job processes are its children). */
function workerPid(service: Service): number {
  const pid = descendants(service.child.pid!).find((p) =>
    readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('agent-worker.js'),
  );
  if (!pid) throw new Error(`no agent worker under run agent (${service.child.pid})`);
  return pid;
}

/** The oldest job process under a worker (field 22 of /proc/<pid>/stat is the start time). */
function oldestJobProcess(worker: number): number {
  const started = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  };
  const jobs = descendants(worker).filter((p) =>
    readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('job_proc_lazy_main'),
  );
  return jobs.sort((a, b) => started(a) - started(b))[0]!;
}

function call(number: string, wav: string, hangupAfterMs: number): Promise<CallResult> {
  return callWithBaresip({
    username: number,
    authUsername: 'faults',
    password: 'e2e-faults-caller-password',
    target: 'sip:+3225550101@127.0.0.1:62060',
    playWav: wav,
    codecs: ['G722'],
    hangupAfterMs,
    maxSeconds: hangupAfterMs / 1000 + 20,
  });
}

describe('agent worker faults, with two workers', () => {
  let redis: TestRedis;
  let env: Record<string, string>;
  const infra: Service[] = [];
  const workers: Service[] = [];
  const wav = () => silenceWav(join(WAV_DIR, 'faults-silence.wav'), 40, 16000);
  const startWorker = (i: number) =>
    startService('agent', CONFIG, env, ['--port', String(WORKER_PORTS[i])]);

  beforeAll(async () => {
    redis = await startRedis();
    process.env.SWITCHBOARD_E2E_FAULTS_REDIS = redis.url;
    env = { ...(process.env as Record<string, string>), ...E2E_ENV };
    for (const role of ['livekit-server', 'sip', 'control-plane'])
      infra.push(await startService(role, CONFIG, env));
    for (const i of [0, 1]) workers[i] = await startWorker(i);
  });

  afterAll(async () => {
    // Each service's output, for reading a failure, when SWITCHBOARD_E2E_TRACES names a folder.
    const traces = process.env.SWITCHBOARD_E2E_TRACES;
    for (const s of traces ? [...workers, ...infra] : [])
      writeFileSync(join(traces!, `faults-${s.role}-${s.child.pid}.log`), s.output());
    for (const service of [...workers, ...infra.reverse()]) await stopService(service);
    await redis?.stop();
  });

  /**
   * A call in progress loses its agent to `kill` (once the greeting is over); the caller must
   * hear a fresh agent within 5 s, and the call ends `answered`. Returns the worker that held it.
   */
  async function loseAgentMidCall(caller: string, kill: (holder: Service) => number[]) {
    const result = call(caller, wav(), 20_000);
    const holder = await workerHoldingCall();
    expect(holder, 'a worker took the call').toBeDefined();
    await eventually(
      async () => (/call set-up/.test(workers[holder!]!.output()) ? true : undefined),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 7_000));
    const killedAt = Date.now();
    for (const pid of kill(workers[holder!]!)) process.kill(pid, 'SIGKILL');

    const done = await result;
    expect(done.established).toBe(true);
    const after = heardSince(done, killedAt);
    expect(firstVoicedMs(after), 'the greeting was over at the kill').not.toBe(0);
    const gap = firstVoicedMs(after);
    console.log(
      `${caller === KILLED_CALLER ? 'worker' : 'job process'} kill -9 → the fresh agent's first words: ${gap} ms`,
    );
    expect(gap, 'the caller heard a fresh agent after the kill').toBeDefined();
    expect(gap!).toBeLessThan(5_000);
    expect(workers.map((w) => w.output()).join('')).toMatch(/resuming a call that lost its agent/);
    expect(exportCalls({ configPath: CONFIG }, caller).map((c) => c.outcome)).toEqual(['answered']);
    return holder!;
  }

  it('a worker killed mid-call: a fresh agent speaks within 5 s, the call ends answered', async () => {
    const holder = await loseAgentMidCall(KILLED_CALLER, (w) => [workerPid(w)]);
    // The killed worker's service exits with it; bring the pair back for the next tests.
    await eventually(
      async () => (workers[holder]!.child.exitCode !== null ? true : undefined),
      10_000,
    );
    workers[holder] = await startWorker(holder);
  });

  it('a job process killed mid-call: its worker clears the dead agent, a fresh one speaks within 5 s', async () => {
    // The call's job process is the worker's oldest: the pool forks an idle one after each job.
    await loseAgentMidCall(CRASHED_JOB_CALLER, (w) => [oldestJobProcess(workerPid(w))]);
  });

  it('SIGTERM drains a worker: its call carries on, new calls go to the other, then it exits', async () => {
    const answered = async () =>
      total((await scrape(METRICS_URL)).samples, 'switchboard_calls_total', {
        trunk: 'caller',
        outcome: 'answered',
      });
    const answeredBefore = await answered();
    const drained = call(DRAINED_CALLER, wav(), 15_000);
    const holder = await workerHoldingCall();
    expect(holder).toBeDefined();
    const draining = workers[holder!]!;
    const other = workers[1 - holder!]!;
    const jobProcesses = descendants(workerPid(draining));
    const exited = new Promise<number | null>((r) =>
      draining.child.once('exit', (code) => r(code)),
    );
    draining.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));

    const fresh = await call(NEW_CALLER, wav(), 10_000);
    expect(fresh.established, 'a new call is answered during the drain').toBe(true);
    expect(firstVoicedMs(fresh.heard!), 'and greeted').toBeDefined();
    expect(other.output()).toMatch(/call set-up/);

    const first = await drained;
    const callEnded = Date.now();
    expect(first.established).toBe(true);
    // The caller hung up at 15 s, not the gateway earlier: the drain dropped nothing.
    expect(first.timing.ended! - first.timing.answered!).toBeGreaterThanOrEqual(14_000);
    expect(await exited, 'the drained worker exits cleanly').toBe(0);
    const exitAfterCallMs = Date.now() - callEnded;
    console.log(`drained worker exited ${exitAfterCallMs} ms after its last call ended`);
    expect(exitAfterCallMs).toBeLessThan(10_000);
    expect(jobProcesses.filter(alive)).toEqual([]);
    expect(exportCalls({ configPath: CONFIG }, DRAINED_CALLER).map((c) => c.outcome)).toEqual([
      'answered',
    ]);
    // Each worker's job process told the control plane about its call: both are counted.
    await expect.poll(answered, { timeout: 10_000 }).toBe(answeredBefore + 2);
    workers[holder!] = await startWorker(holder!);
  });
});
