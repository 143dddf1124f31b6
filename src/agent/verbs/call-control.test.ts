import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../telemetry/index.js';
import { createCallState } from '../call/call-state.js';
import { agentConfigSchema } from '../config.js';
import type { CallEventBody } from '../../telemetry/call-events.js';
import { voicemailConfigSchema } from '../../voicemail/config.js';
import type { NewMessage } from '../../voicemail/types.js';
import { createCallerTurns } from '../caller-turns.js';
import { createClassifier } from '../classify/index.js';
import { allowedTargets, createCallControl, type Speaker } from './index.js';

const config = agentConfigSchema.parse({ handoff: { target: 'tel:+3225550199' } });
const voicemail = voicemailConfigSchema.parse({
  callbackKeys: [{ id: 'k1', key: 'ab'.repeat(32) }],
  callback: { trunk: 'callback' },
});
const classifier = createClassifier(config.classifier);

/** Call control over a recording speaker, a fake gateway and a recording message store. */
function setup(
  opts: {
    refer?: () => Promise<unknown>;
    say?: Speaker['say'];
    closed?: boolean;
    save?: (message: NewMessage) => Promise<unknown>;
    callerNumber?: string;
  } = {},
) {
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
  const saved: NewMessage[] = [];
  const turns = createCallerTurns();
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
    helpdesk: {
      status: async () =>
        opts.closed
          ? { open: false, sentence: 'Closed now; opens Monday at 8:00.' }
          : { open: true },
      hours: async () => 'Open Monday to Friday, 8:00 to 17:00.',
    },
    voicemail: {
      config: voicemail,
      store: {
        save: async (message) => {
          await opts.save?.(message);
          saved.push(message);
          return { id: `vm_${'0'.repeat(23)}${saved.length}` } as never;
        },
      },
      turns,
      consent: classifier.consent,
      caller: { pseudonym: 'e2e_0123456789abcdef0123456789abcdef', number: opts.callerNumber },
    },
  });
  return { control, call, said, transferSipParticipant, errors, events, turns, saved };
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
    expect(said).toEqual([
      config.handoff.announce.fr,
      `${voicemail.prompts.unavailable.fr} ${voicemail.prompts.offer.fr}`,
    ]);
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
      expect(said).toEqual([
        config.handoff.announce.fr,
        `${voicemail.prompts.unavailable.fr} ${voicemail.prompts.offer.fr}`,
      ]);
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

describe('voicemail', () => {
  const NUMBER = '+3225550142';
  const PSEUDONYM = 'e2e_0123456789abcdef0123456789abcdef';

  /** The caller speaks one turn (VAD speaking → silent, then the final transcript). */
  const speak = (turns: ReturnType<typeof setup>['turns'], text: string) => {
    turns.listener!.speaking();
    turns.listener!.silent();
    turns.listener!.turn(text);
  };

  it('helpdesk closed: no REFER; the caller hears when it opens, leaves a message and a callback number with consent', async () => {
    vi.useFakeTimers();
    try {
      const { control, call, said, transferSipParticipant, turns, saved, events } = setup({
        closed: true,
        callerNumber: NUMBER,
      });
      expect(await control.handoff({ reason: 'caller asked' })).toBe('closed');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      speak(turns, 'my appointment on monday');
      speak(turns, 'has to move to the afternoon');
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs);
      await vi.waitFor(() => expect(said).toContain(voicemail.prompts.consent.fr));
      speak(turns, 'oui');
      await vi.waitFor(() => expect(call.endReason).toBe('goodbye'));
      expect(transferSipParticipant).not.toHaveBeenCalled();
      expect(said[0]).toBe(`Closed now; opens Monday at 8:00. ${voicemail.prompts.offer.fr}`);
      expect(said).toContain(
        voicemail.prompts.readBack.fr.replace(
          '{message}',
          'my appointment on monday has to move to the afternoon',
        ),
      );
      expect(said.at(-1)).toBe(voicemail.prompts.savedWithCallback.fr);
      expect(saved).toEqual([
        {
          callId: 'SCL_control',
          pseudonym: PSEUDONYM,
          language: 'fr',
          text: 'my appointment on monday has to move to the afternoon',
          reason: 'closed',
          callbackNumber: NUMBER,
        },
      ]);
      expect(call.outcome).toBe('voicemail');
      expect(events).toContainEqual({
        type: 'message',
        messageId: `vm_${'0'.repeat(23)}1`,
        reason: 'closed',
        callback: true,
      });
      // The turns go back to the brains once the message is taken.
      expect(turns.listener).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a "no" (or silence) to the callback question stores no number', async () => {
    vi.useFakeTimers();
    try {
      const { control, turns, saved, said } = setup({ callerNumber: NUMBER });
      void control.terminal('LEAVE_MESSAGE', 'caller asked');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      speak(turns, 'please send me the form');
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs);
      await vi.waitFor(() => expect(said).toContain(voicemail.prompts.consent.fr));
      speak(turns, 'non merci');
      await vi.waitFor(() => expect(saved).toHaveLength(1));
      expect(saved[0]).not.toHaveProperty('callbackNumber');
      expect(saved[0]!.reason).toBe('caller_asked');
      expect(said.at(-1)).toBe(voicemail.prompts.saved.fr);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failed transfer offers a message instead of ending in an apology', async () => {
    vi.useFakeTimers();
    try {
      const { control, turns, saved, said } = setup({
        refer: async () => {
          throw new Error('twirp error unknown: sip status: 486: Busy Here');
        },
      });
      expect(await control.handoff({ reason: 'caller asked' })).toBe('failed');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      expect(said).toContain(`${voicemail.prompts.unavailable.fr} ${voicemail.prompts.offer.fr}`);
      speak(turns, 'call me about my results');
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs);
      // No number known (withheld caller): no consent question, the message is stored at once.
      await vi.waitFor(() => expect(saved).toHaveLength(1));
      expect(said).not.toContain(voicemail.prompts.consent.fr);
      expect(saved[0]).toMatchObject({
        reason: 'transfer_failed',
        text: 'call me about my results',
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a caller who hangs up after speaking still leaves the message, without a callback', async () => {
    vi.useFakeTimers();
    try {
      const { control, call, turns, saved } = setup({ callerNumber: NUMBER });
      void control.terminal('LEAVE_MESSAGE', 'caller asked');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      turns.listener!.speaking();
      turns.listener!.turn('the parking ticket machine is broken');
      call.end('hangup');
      await vi.waitFor(() => expect(saved).toHaveLength(1));
      expect(saved[0]).not.toHaveProperty('callbackNumber');
      expect(saved[0]!.text).toBe('the parking ticket machine is broken');
    } finally {
      vi.useRealTimers();
    }
  });

  it('nothing said: nothing stored, the caller is told and the call ends', async () => {
    vi.useFakeTimers();
    try {
      const { control, call, said, saved, turns } = setup();
      void control.terminal('LEAVE_MESSAGE', 'caller asked');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      // A caller gets longer to start than to pause.
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs);
      expect(call.endReason).toBeUndefined();
      await vi.advanceTimersByTimeAsync(8_000 - voicemail.messageSilenceMs);
      await vi.waitFor(() => expect(call.endReason).toBe('goodbye'));
      expect(saved).toEqual([]);
      expect(said.at(-1)).toBe(voicemail.prompts.empty.fr);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a store failure is told to the caller; the call still ends', async () => {
    vi.useFakeTimers();
    try {
      const { control, call, said, turns, errors } = setup({
        save: async () => {
          throw new Error('Connection is closed.');
        },
      });
      void control.terminal('LEAVE_MESSAGE', 'caller asked');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      speak(turns, 'hello');
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs);
      await vi.waitFor(() => expect(call.endReason).toBe('goodbye'));
      expect(said.at(-1)).toBe(voicemail.prompts.notSaved.fr);
      expect(errors).toHaveBeenCalled();
      expect(call.outcome).toBe('answered');
    } finally {
      vi.useRealTimers();
    }
  });

  it('the caller speaking keeps the message open past the silence window', async () => {
    vi.useFakeTimers();
    try {
      const { control, turns, saved } = setup();
      void control.terminal('LEAVE_MESSAGE', 'caller asked');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      turns.listener!.speaking();
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs * 3);
      expect(saved).toEqual([]);
      turns.listener!.silent();
      turns.listener!.turn('a long story');
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs);
      await vi.waitFor(() => expect(saved).toHaveLength(1));
    } finally {
      vi.useRealTimers();
    }
  });

  it('an emergency during the message takes over: nothing is stored', async () => {
    vi.useFakeTimers();
    try {
      const { control, turns, saved, said } = setup();
      void control.terminal('LEAVE_MESSAGE', 'caller asked');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      turns.cancel();
      await control.terminal('EMERGENCY', 'caller asked');
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs * 2);
      expect(saved).toEqual([]);
      expect(said).toContain(config.emergency.instruct.fr);
      // The caller can still leave a message afterwards.
      void control.terminal('LEAVE_MESSAGE', 'caller asked');
      await vi.waitFor(() => expect(turns.listener).toBeDefined());
      speak(turns, 'after all a message');
      await vi.advanceTimersByTimeAsync(voicemail.messageSilenceMs);
      await vi.waitFor(() => expect(saved).toHaveLength(1));
    } finally {
      vi.useRealTimers();
    }
  });

  it('the hours question is answered from the schedule, with the reopening when closed', async () => {
    const { control, said, transferSipParticipant } = setup({ closed: true });
    await control.terminal('HOURS_QUESTION', 'caller asked');
    expect(said).toEqual([
      'Open Monday to Friday, 8:00 to 17:00. Closed now; opens Monday at 8:00.',
    ]);
    expect(transferSipParticipant).not.toHaveBeenCalled();
  });
});
