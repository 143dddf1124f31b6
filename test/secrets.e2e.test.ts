import { beforeAll, describe, expect, it } from 'vitest';
import { say } from './support/calls.js';
import { espeakStarts, sampleAgentEnvironments } from './support/process-env.js';
import { E2E_ENV, useStack, type StackHandle } from './support/stack.js';

/** Secrets reach the agent by a file only its owner can read, never by an inherited environment. */
describe('secrets during a call', () => {
  let stack: StackHandle;
  beforeAll(async () => {
    stack = await useStack();
  });

  it('are in no environment of the job process or of its espeak-ng child', async () => {
    // The greeting plays from memory (the worker synthesised it); the FAQ answer is spoken live,
    // by an espeak-ng child of the job process.
    const recorder = stack.espeakRecorder!;
    const before = new Set(espeakStarts(recorder).map((s) => s.pid));
    const { result: call, seen } = await sampleAgentEnvironments(() =>
      say('what are the visiting hours'),
    );
    expect(call.established).toBe(true);
    const jobs = new Set(seen.filter((p) => p.kind === 'job').map((p) => p.pid));
    expect(jobs.size, 'job processes were sampled').toBeGreaterThan(0);
    const spoken = espeakStarts(recorder)
      .filter((s) => !before.has(s.pid) && jobs.has(s.ppid))
      .map((s) => ({ kind: 'espeak-ng', pid: s.pid, environ: s.environ }));
    expect(spoken.length, 'a job process started espeak-ng for its answer').toBeGreaterThan(0);
    const secrets = [
      stack.config.livekit.apiSecret,
      ...stack.config.admission.pseudonymKeys.map((k) => k.secret),
      ...Object.values(E2E_ENV),
    ];
    for (const { kind, pid, environ } of [...seen, ...spoken]) {
      for (const secret of secrets)
        expect(environ.includes(secret), `${kind} ${pid} holds a secret`).toBe(false);
      expect(environ).not.toMatch(/^SWITCHBOARD_CONFIG_JSON=/m);
    }
  });
});
