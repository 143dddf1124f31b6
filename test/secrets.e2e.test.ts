import { beforeAll, describe, expect, it } from 'vitest';
import { say } from './support/calls.js';
import { sampleAgentEnvironments } from './support/process-env.js';
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
    const { result: call, seen } = await sampleAgentEnvironments(() =>
      say('what are the visiting hours'),
    );
    expect(call.established).toBe(true);
    expect(
      seen.map((p) => p.kind),
      'a job process and an espeak-ng child were sampled',
    ).toEqual(expect.arrayContaining(['job', 'espeak-ng']));
    const secrets = [
      stack.config.livekit.apiSecret,
      ...stack.config.admission.pseudonymKeys.map((k) => k.secret),
      ...Object.values(E2E_ENV),
    ];
    for (const { kind, pid, environ } of seen) {
      for (const secret of secrets)
        expect(environ.includes(secret), `${kind} ${pid} holds a secret`).toBe(false);
      expect(environ).not.toMatch(/^SWITCHBOARD_CONFIG_JSON=/m);
    }
  });
});
