import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../telemetry/index.js';
import { createCallState } from '../call/call-state.js';
import { agentConfigSchema } from '../config.js';
import type { CallEventBody } from '../../telemetry/call-events.js';
import { allowedTargets, createCallControl, type Speaker } from './index.js';

const config = agentConfigSchema.parse({ handoff: { target: 'tel:+3225550199' } });

/** Call control over a recording speaker and a fake gateway. */
function setup(opts: { refer?: () => Promise<unknown>; say?: Speaker['say'] } = {}) {
  const said: string[] = [];
  const speaker: Speaker = {
    say:
      opts.say ??
      ((text) => {
        said.push(text);
        return { waitForPlayout: async () => undefined };
      }),
    interrupt: async () => undefined,
  };
  const transferSipParticipant = vi.fn(opts.refer ?? (async () => undefined));
  const logger = createLogger({ level: 'silent' });
  const errors = vi.spyOn(logger, 'error');
  const call = createCallState('SCL_control', 'fr');
  const events: CallEventBody[] = [];
  const control = createCallControl({
    call,
    config,
    speaker,
    sip: { transferSipParticipant } as never,
    roomName: 'call-room',
    callerIdentity: 'sip_caller',
    allowedTargets: allowedTargets(config.handoff, config.emergency.target),
    logger,
    events: { emit: (event) => events.push(event) },
  });
  return { control, call, said, transferSipParticipant, errors, events };
}

describe('call control', () => {
  it('hands off: announces in the call language, REFERs, records transferred and ends the call', async () => {
    const { control, call, said, transferSipParticipant, events } = setup();
    await control.terminal('HANDOFF_REQUEST', 'caller asked');
    expect(events).toEqual([
      { type: 'transfer', reason: 'handoff' },
      { type: 'transfer', reason: 'handoff', result: 'transferred' },
    ]);
    expect(said).toEqual([config.handoff.announce.fr]);
    expect(transferSipParticipant).toHaveBeenCalledWith(
      'call-room',
      'sip_caller',
      'tel:+3225550199',
      {
        playDialtone: false,
        timeout: config.handoff.timeoutSeconds,
      },
    );
    expect(call.outcome).toBe('transferred');
    expect(await call.ended).toBe('transferred');
  });

  it('sends one REFER when two triggers ask for the hand-off at once', async () => {
    let finish!: () => void;
    const { control, transferSipParticipant } = setup({
      refer: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    const first = control.handoff({ reason: 'dtmf' });
    const second = control.handoff({ reason: 'backend escalate' });
    await vi.waitFor(() => expect(transferSipParticipant).toHaveBeenCalledOnce());
    finish();
    expect(await Promise.all([first, second])).toEqual(['transferred', 'transferred']);
    expect(transferSipParticipant).toHaveBeenCalledOnce();
  });

  it('refuses a target off the allowlist without announcing or REFERring', async () => {
    const { control, said, transferSipParticipant, events } = setup();
    expect(await control.handoff({ target: '+44 9000 000000', reason: 'llm tool' })).toBe(
      'refused',
    );
    expect(events).toEqual([{ type: 'transfer', reason: 'handoff', result: 'refused' }]);
    expect(said).toEqual([config.handoff.refused.fr]);
    expect(transferSipParticipant).not.toHaveBeenCalled();
  });

  it('tells the caller when the transfer fails, and keeps the call', async () => {
    const { control, call, said } = setup({ refer: async () => Promise.reject(new Error('486')) });
    expect(await control.handoff({ reason: 'caller asked' })).toBe('failed');
    expect(said).toEqual([config.handoff.announce.fr, config.handoff.failed.fr]);
    expect(call.outcome).toBe('answered');
    expect(call.endReason).toBeUndefined();
  });

  const lostTransaction = async () =>
    Promise.reject(
      new Error('twirp error unknown: transaction failed to complete (0 intermediate responses)'),
    );

  it('counts an unconfirmed REFER as transferred when the caller leaves within the timeout', async () => {
    const { control, call, said } = setup({ refer: lostTransaction });
    const result = control.handoff({ reason: 'caller asked' });
    await vi.waitFor(() => expect(said).toHaveLength(1));
    call.end('hangup');
    expect(await result).toBe('transferred');
    expect(call.outcome).toBe('transferred');
    expect(said).toEqual([config.handoff.announce.fr]);
  });

  it('tells the caller an unconfirmed REFER failed when they are still there after the timeout', async () => {
    vi.useFakeTimers();
    try {
      const { control, call, said } = setup({ refer: lostTransaction });
      const result = control.handoff({ reason: 'caller asked' });
      await vi.advanceTimersByTimeAsync(config.handoff.timeoutSeconds * 1000);
      expect(await result).toBe('failed');
      expect(said).toEqual([config.handoff.announce.fr, config.handoff.failed.fr]);
      expect(call.outcome).toBe('answered');
    } finally {
      vi.useRealTimers();
    }
  });

  it('instructs an emergency caller to dial 112 and does not transfer (instruct mode)', async () => {
    const { control, said, transferSipParticipant, events } = setup();
    await control.terminal('EMERGENCY', 'caller asked');
    expect(events).toEqual([{ type: 'emergency' }]);
    expect(said).toEqual([config.emergency.instruct.fr]);
    expect(said[0]).toContain('112');
    expect(transferSipParticipant).not.toHaveBeenCalled();
  });

  it('logs a verb that throws with its name, and the call goes on', async () => {
    const { control, call, errors } = setup({
      say: () => {
        throw new Error('session closed');
      },
    });
    control.start('GOODBYE', 'llm tool');
    await control.settled();
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'verb_failed', verb: 'GOODBYE', err: 'session closed' }),
      'call-control verb failed',
    );
    expect(call.endReason).toBeUndefined();
  });
});
