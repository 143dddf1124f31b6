import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  admissionConfigSchema,
  createAdmission,
  pseudonymizerFromConfig,
} from '../../src/admission/index.js';
import { createCallState } from '../../src/agent/call/call-state.js';
import type { JoinedCall } from '../../src/agent/call/join.js';
import { openCallRecords, openCallRedis } from '../../src/agent/call/records.js';
import type { ProcessData } from '../../src/agent/call-flow.js';
import { probeRedis } from '../../src/stack/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import { freePort } from '../../test/harness/free-port.js';
import { silenceWav, speechWav, windowRms, VOICED_RMS } from '../../test/support/audio.js';
import { callWithBaresip, type CallResult } from '../../test/support/baresip.js';
import { WAV_DIR } from '../../test/support/calls.js';
import { scanForPhoneNumbers } from '../../test/support/leak-scan.js';
import { exportCalls } from '../../test/support/privacy-cli.js';
import { startService, stopService, type Service } from '../../test/support/services.js';
import { E2E_ENV, loadE2eConfig, ROOT } from '../../test/support/stack.js';

const CONFIG = join(ROOT, 'test', 'e2e', 'redis-outage.e2e.yaml');
const CALLER = '+3225550146';
const CALLED = 'sip:+3225550101@127.0.0.1:35060';
const PASSWORD = 'e2e-outage-caller-password';
/** SPEC/issue 12: Redis stopped for 60 s. */
const OUTAGE_MS = 60_000;
/** Admission's default budget (`admission.redisTimeoutMs`), the issue's 250 ms. */
const DECISION_BUDGET_MS = 250;
/** `--behaviour-only`: timings are printed but do not fail the run (the e2e suite's mode). */
const BEHAVIOUR_ONLY = process.argv.includes('--behaviour-only');

function captureLogger() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'debug', name: 'outage-bench' },
    { write: (line: string) => void lines.push(line) },
  );
  return { logger, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load1 = () => loadavg()[0]!.toFixed(2);

/** A Redis with an append-only file in its own directory: stopped and started on the same data. */
function persistentRedis(port: number, dir: string) {
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    async start() {
      child = spawn(
        'redis-server',
        // Every write is on disk before it is acknowledged, so a stop loses nothing.
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''].concat([
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
        ]),
        { stdio: 'ignore' },
      );
      const deadline = Date.now() + 5000;
      while (!(await probeRedis(url, 500))) {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
        await sleep(50);
      }
    },
    /** SIGTERM: Redis flushes its append-only file and exits; nothing listens on the port. */
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise((r) => {
        c.once('exit', r);
        c.kill('SIGTERM');
      });
    },
  };
}

/** The gateway's final answer to the INVITE (after any digest challenge) and when it came. */
function finalResponse(call: CallResult): { code: number; afterInviteMs: number } | undefined {
  for (const { at, text } of call.lines) {
    const m = /^SIP\/2\.0 (\d{3})/.exec(text);
    const code = Number(m?.[1]);
    if (m && code >= 200 && code !== 401 && code !== 407)
      return { code, afterInviteMs: at - (call.timing.invite ?? 0) };
  }
  return undefined;
}

/** Voiced audio the caller heard between `fromMs` and `toMs` of the call's recording. */
function voicedBetween(call: CallResult, fromMs: number, toMs = Infinity): number {
  const windows = windowRms(call.heard!);
  return windows.slice(fromMs / 20, toMs / 20).filter((r) => r > VOICED_RMS).length * 0.02;
}

/** When the agent's job saw each call end (`call over`), in ms after `since`. */
function callsOverAfter(agentOutput: string, since: number): number[] {
  return agentOutput
    .split('\n')
    .filter((l) => l.includes('"msg":"call over"'))
    .map((l) => Date.parse((JSON.parse(l) as { time: string }).time) - since)
    .filter((ms) => ms > 0);
}

const figures: Array<[string, string, string]> = [];
/** One row: what, measured, and the target it is held to ('' when only measured). */
const figure = (name: string, value: string | number, verdict = '') => {
  figures.push([name, String(value), verdict]);
};
const held = (ok: boolean) => (ok ? 'met' : 'MISSED');
let missed = 0;
const target = (ok: boolean, name: string, value: string | number, what: string) => {
  if (!ok) missed += 1;
  figure(name, value, `${held(ok)} (${what})`);
};

const dataDir = mkdtempSync(join(tmpdir(), 'sb-redis-outage-'));
const redis = persistentRedis(await freePort(), dataDir);
const services: Service[] = [];
try {
  await redis.start();
  process.env.SWITCHBOARD_E2E_OUTAGE_REDIS = redis.url;
  const env = { ...(process.env as Record<string, string>), ...E2E_ENV };
  for (const role of ['livekit-server', 'sip', 'control-plane', 'agent'])
    services.push(await startService(role, CONFIG, env));
  await scenario();
} finally {
  for (const service of [...services].reverse()) await stopService(service);
  // SWITCHBOARD_E2E_TRACES keeps every service's (scrubbed) output beside the SIP traces.
  const traces = process.env.SWITCHBOARD_E2E_TRACES;
  if (traces) {
    mkdirSync(traces, { recursive: true });
    for (const s of services) writeFileSync(join(traces, `outage-${s.role}.log`), s.output());
  }
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(
  `\nRedis stopped for ${OUTAGE_MS / 1000} s under calls (issue 12, target 4); ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
);
console.log('| figure | measured | target |');
console.log('|---|---|---|');
for (const [name, value, verdict] of figures) console.log(`| ${name} | ${value} | ${verdict} |`);
process.exitCode = missed > 0 ? 1 : 0;

async function scenario(): Promise<void> {
  const agent = () => services.find((s) => s.role === 'agent')!.output();
  const setUps = () => agent().match(/"msg":"call set-up"/g)?.length ?? 0;
  const config = loadE2eConfig(CONFIG);

  // Call A spans the outage: greeted before it, asks a question once Redis is back.
  const questionAtMs = 18_000 + OUTAGE_MS;
  const longWav = speechWav(join(WAV_DIR, 'outage-long.wav'), 'what are the visiting hours', {
    padSeconds: questionAtMs / 1000,
    tailSeconds: 10,
  });
  const aStartedAt = Date.now();
  const callA = callWithBaresip({
    username: CALLER,
    password: PASSWORD,
    target: CALLED,
    playWav: longWav,
    codecs: ['G722'],
    maxSeconds: questionAtMs / 1000 + 25,
  });
  while (setUps() < 1) await sleep(100);
  // Call E's caller hangs up during the outage: its outcome can only be written once Redis is back.
  const callE = callWithBaresip({
    username: CALLER,
    password: PASSWORD,
    target: CALLED,
    playWav: silenceWav(join(WAV_DIR, 'outage-short.wav'), 60, 16000),
    codecs: ['G722'],
    hangupAfterMs: 20_000,
    maxSeconds: 40,
  });
  while (setUps() < 2) await sleep(100);
  // Both greeted; a connection like a job's, open before the outage.
  await sleep(4000);
  const before = openCallRedis(redis.url);
  await before.ping();

  figure('load average (1 min) before the outage', load1());
  await redis.stop();
  const stoppedAt = Date.now();

  // Admission as a job runs it, on the stopped Redis: a fresh connection (a job that starts during
  // the outage) and one opened before, under both failure policies, at the default budget.
  const { logger, lines } = captureLogger();
  // The decisions admission reports (the job sends them to the control plane as call events).
  const reported: string[] = [];
  const decide = async (policy: 'open' | 'closed', fresh: boolean, i: number) => {
    const admissionConfig = admissionConfigSchema.parse({
      ...config.admission,
      failurePolicy: policy,
      redisTimeoutMs: DECISION_BUDGET_MS,
    });
    const connection = fresh ? openCallRedis(redis.url) : before;
    const started = performance.now();
    const decision = await createAdmission({
      redis: connection,
      config: admissionConfig,
      pseudonymizer: pseudonymizerFromConfig(admissionConfig),
      logger,
      telemetry: { decision: (result) => reported.push(result), redisFailure: () => undefined },
    }).admit({ callId: `SCL_outage${policy}${i}`, caller: CALLER, trunkId: 'outage' });
    const ms = performance.now() - started;
    if (decision.allowed) await decision.lease.release();
    if (fresh) connection.disconnect();
    const ok =
      policy === 'open'
        ? decision.allowed && decision.failedOpen
        : !decision.allowed && decision.failedClosed;
    return { ok, ms };
  };
  const timings: Record<string, number[]> = {};
  let wrong = 0;
  for (let i = 0; i < 5; i++) {
    for (const policy of ['open', 'closed'] as const) {
      for (const fresh of [true, false]) {
        const { ok, ms } = await decide(policy, fresh, i);
        (timings[`fail-${policy}, ${fresh ? 'new' : 'open'} connection`] ??= []).push(ms);
        if (!ok) wrong += 1;
      }
    }
  }
  const counted =
    reported.filter((r) => r === 'failed_open').length === 10 &&
    reported.filter((r) => r === 'failed_closed').length === 10 &&
    lines.join('\n').includes('admission redis failure');
  for (const [name, ms] of Object.entries(timings)) {
    const max = Math.max(...ms);
    const row = `admission ${name}: max of 5, ms`;
    // The e2e suite runs this for the behaviour; on a loaded CI machine a timing is noise there.
    if (BEHAVIOUR_ONLY)
      figure(row, max.toFixed(1), `${held(max <= DECISION_BUDGET_MS)} (reported only)`);
    else target(max <= DECISION_BUDGET_MS, row, max.toFixed(1), `≤ ${DECISION_BUDGET_MS} ms`);
  }
  target(
    wrong === 0 && counted,
    'admission decisions per policy, counted and logged',
    `${20 - wrong}/20 as configured${counted ? ', all counted' : ', NOT counted'}`,
    'open admits, closed refuses',
  );
  figure('load average (1 min) during the decisions', load1());

  // Transcript writes on a call's records during the outage: held, never awaited by the call.
  const heldCallId = 'SCL_outageheld';
  const records = openCallRecords(
    before,
    config,
    {
      config,
      logger: createLogger({ name: 'outage-bench', level: 'silent' }),
      pseudonymizer: pseudonymizerFromConfig(config.admission),
    } as unknown as ProcessData,
    {
      state: createCallState(heldCallId, 'en'),
      trunkId: 'outage',
      logger: createLogger({ name: 'outage-bench', level: 'silent' }),
    } as unknown as JoinedCall,
  );
  const pseudonym = pseudonymizerFromConfig(config.admission).pseudonymize(CALLER);
  let writeMs = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    if (i === 0) records.start(pseudonym);
    records.write((store) =>
      store.addTurn(heldCallId, {
        role: 'caller',
        text: `turn ${i}`,
        language: 'en',
        at: Date.now(),
      }),
    );
    writeMs = Math.max(writeMs, performance.now() - t);
  }
  // A write that waited for Redis would take its 2 s command timeout; under --behaviour-only (a
  // loaded CI machine) the line is drawn well clear of scheduling noise.
  target(
    writeMs < (BEHAVIOUR_ONLY ? 1000 : 50),
    'transcript write during the outage: call blocked, ms',
    writeMs.toFixed(2),
    'never blocks',
  );

  // Call B arrives during the outage.
  await sleep(5000 - (Date.now() - stoppedAt));
  figure('load average (1 min) during call B', load1());
  const callB = await callWithBaresip({
    username: CALLER,
    password: PASSWORD,
    target: CALLED,
    playWav: silenceWav(join(WAV_DIR, 'outage-b.wav'), 20, 16000),
    codecs: ['G722'],
    maxSeconds: 40,
  });
  const answerB = finalResponse(callB);
  figure(
    'call B, INVITE 5 s into the outage: gateway answer',
    answerB
      ? `${answerB.code} after ${answerB.afterInviteMs} ms`
      : 'none: rang until the caller gave up',
  );

  await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
  await redis.start();
  const restartedAt = Date.now();
  figure(
    'outage (Redis stopped → answering again), s',
    ((restartedAt - stoppedAt) / 1000).toFixed(1),
  );

  // The held writes go out once Redis answers, then the outcome.
  const flushStarted = Date.now();
  await records.finish(pseudonym);
  figure('held transcript writes sent after Redis returned, ms', Date.now() - flushStarted);

  // Calls after recovery: how long until the gateway takes calls again.
  const attempts: string[] = [];
  let answeredAfterMs: number | undefined;
  while (Date.now() - restartedAt < 30_000) {
    const startedAfter = Date.now() - restartedAt;
    const call = await callWithBaresip({
      username: CALLER,
      password: PASSWORD,
      target: CALLED,
      playWav: silenceWav(join(WAV_DIR, `outage-d${attempts.length}.wav`), 8, 16000),
      codecs: ['G722'],
      maxSeconds: 20,
    });
    const answer = finalResponse(call);
    attempts.push(`${answer?.code ?? 'none'} at +${(startedAfter / 1000).toFixed(1)} s`);
    if (call.established) {
      answeredAfterMs = startedAfter;
      break;
    }
    await sleep(200);
  }
  const refusals = attempts.length - (answeredAfterMs === undefined ? 0 : 1);
  figure(
    'calls after Redis returned: first answered (refused before it)',
    answeredAfterMs === undefined
      ? `none within 30 s (${attempts.slice(-3).join(', ')})`
      : `+${(answeredAfterMs / 1000).toFixed(1)} s (${refusals} refused: ${attempts[0] ?? ''}${refusals > 1 ? ` … ${attempts[refusals - 1]}` : ''})`,
  );
  figure('load average (1 min) after recovery', load1());

  const [a, e] = await Promise.all([callA, callE]);
  before.disconnect();

  // In progress: did the agent keep its calls, and did A hear the answer to its question?
  const lost = callsOverAfter(agent(), stoppedAt).filter((ms) => ms < OUTAGE_MS);
  const establishedA = (a.timing.answered ?? 0) - (a.timing.invite ?? 0);
  const answerHeard = a.heard ? voicedBetween(a, questionAtMs + 1000 - establishedA) : 0;
  const dropped = lost.length;
  target(
    dropped === 0 && answerHeard > 1,
    'calls in progress dropped (of 2): agent lost the call at, s into the outage',
    `${dropped}${dropped ? `: ${lost.map((ms) => (ms / 1000).toFixed(1)).join(', ')}` : ''}`,
    '0 dropped',
  );
  figure(
    'call A: caller on the SIP leg until, s into the outage (caller hung up at the end of its WAV)',
    ((aStartedAt + (a.timing.ended ?? 0) - stoppedAt) / 1000).toFixed(1),
  );
  figure('call A: voiced audio heard after its question (post-outage), s', answerHeard.toFixed(1));
  figure('call E established', String(e.established));

  // Every call the agent took should have its outcome in the export.
  const ended = () => agent().match(/"msg":"call ended"/g)?.length ?? 0;
  const waitUntil = Date.now() + 15_000;
  while (ended() < 3 && Date.now() < waitUntil) await sleep(200);
  const calls = exportCalls<{ callId: string; outcome: string | null; turns: { text: string }[] }>(
    { configPath: CONFIG },
    CALLER,
  );
  const heldCall = calls.find((c) => c.callId === heldCallId);
  const heldTurns = heldCall?.turns.map((t) => t.text).join(' / ') ?? 'missing';
  target(
    heldTurns === 'turn 0 / turn 1 / turn 2' && heldCall?.outcome === 'answered',
    'transcript written during the outage, in the export after it',
    `${heldTurns}; outcome ${heldCall?.outcome ?? 'none'}`,
    'resumes afterwards',
  );
  const agentCalls = calls.filter((c) => c.callId !== heldCallId);
  const outcomes = agentCalls.map((c) => c.outcome ?? 'none');
  target(
    agentCalls.length === 3 && outcomes.every((o) => o !== 'none'),
    'outcomes in the export (A, E, first call after recovery)',
    outcomes.join(', '),
    'every call recorded',
  );
  const notStored = agent().match(/call outcome not stored/g)?.length ?? 0;
  figure('agent log: "call outcome not stored"', notStored);

  const leaks = scanForPhoneNumbers(
    services.flatMap((s) => s.output().split('\n')),
    [CALLER, '025550146'],
    { allow: ['+3225550101'] },
  );
  target(leaks.length === 0, 'caller numbers in any service output', leaks.length, 'none');
}
