import type { MessageReason } from '../../voicemail/types.js';
import type { TurnListener, VerbContext } from './types.js';

/** The message's first words, read back to the caller before the consent question. */
const READ_BACK_WORDS = 12;
/** How long a caller has to start their message once the offer has played. */
const START_WAIT_MS = 8_000;
/** How long the consent question waits for a yes or a no; silence is a no. */
const CONSENT_WAIT_MS = 8_000;

/**
 * Message taking, text only: offer, give the caller START_WAIT_MS to begin, listen until they
 * have been silent for `messageSilenceMs`, read the start back, ask for consent to a callback
 * when the caller's number is known, store the message, thank and end the call. No audio is kept:
 * the message is the caller's transcribed words. A caller who hangs up after speaking still leaves
 * the message (without a callback). A second trigger while a message is being taken joins it; one
 * after an emergency took over starts again.
 */
export function takeMessage(
  ctx: VerbContext,
  reason: MessageReason,
  opts: { lead?: string } = {},
): Promise<void> {
  ctx.call.message ??= recordMessage(ctx, reason, opts.lead).finally(() => {
    ctx.call.message = undefined;
  });
  return ctx.call.message;
}

async function recordMessage(ctx: VerbContext, reason: MessageReason, lead?: string) {
  const { call, speaker, voicemail, logger } = ctx;
  const { prompts } = voicemail.config;
  const say = (text: string) => speaker.say(text).waitForPlayout();
  const heard = listen(ctx);
  try {
    await say(lead ? `${lead} ${prompts.offer[call.language]}` : prompts.offer[call.language]);
    const text = await heard.message();
    if (heard.emergency()) return;
    if (!text) {
      if (call.endReason) return;
      await say(prompts.empty[call.language]);
      call.end('goodbye');
      return;
    }
    let callback = false;
    const { number } = voicemail.caller;
    if (!call.endReason) {
      const words = text.split(' ');
      const start = words.slice(0, READ_BACK_WORDS).join(' ');
      await say(prompts.readBack[call.language].replace('{message}', start));
    }
    if (number && voicemail.config.callback && !call.endReason) {
      // A "yes" said over the question counts too.
      const answer = heard.answer(say(prompts.consent[call.language]));
      callback = (await answer) === 'yes';
      if (heard.emergency()) return;
    }
    let id: string;
    try {
      const saved = await voicemail.store.save({
        callId: call.callId,
        pseudonym: voicemail.caller.pseudonym,
        language: call.language,
        text,
        reason,
        ...(callback ? { callbackNumber: number } : {}),
      });
      id = saved.id;
    } catch (err) {
      logger.error(
        { event: 'message_not_saved', err: err instanceof Error ? err.message : String(err) },
        'message could not be stored',
      );
      if (!call.endReason) await say(prompts.notSaved[call.language]);
      call.end('goodbye');
      return;
    }
    logger.info({ event: 'message', messageId: id, reason, callback }, 'message taken');
    ctx.events.emit({ type: 'message', messageId: id, reason, callback });
    call.outcome = 'voicemail';
    if (!call.endReason)
      await say(prompts[callback ? 'savedWithCallback' : 'saved'][call.language]);
    call.end('goodbye');
  } finally {
    heard.release();
  }
}

/**
 * Holds the caller's turns for the message, then for the consent answer. The message is over
 * after `messageSilenceMs` without the caller speaking (counted from the offer's end), after
 * `maxMessageSeconds`, or when the call ends.
 */
function listen(ctx: VerbContext) {
  const { call, voicemail } = ctx;
  const { messageSilenceMs, maxMessageSeconds } = voicemail.config;
  const turns: string[] = [];
  let onTurn: ((text: string) => void) | undefined;
  let silence: NodeJS.Timeout | undefined;
  let silenceOver: () => void = () => undefined;
  let emergency = false;
  let callerSpeaking = false;
  const startSilence = () => {
    clearTimeout(silence);
    silence = setTimeout(() => silenceOver(), messageSilenceMs);
  };
  const listener: TurnListener = {
    turn: (text) => {
      if (onTurn) onTurn(text);
      else turns.push(text);
    },
    speaking: () => {
      callerSpeaking = true;
      clearTimeout(silence);
    },
    silent: () => {
      callerSpeaking = false;
      startSilence();
    },
  };
  const capture = voicemail.turns.capture(listener);
  void capture.cancelled.then(() => (emergency = true));
  const interrupted = Promise.race([call.ended, capture.cancelled]);
  const timeout = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

  return {
    emergency: () => emergency,
    async message(): Promise<string> {
      const quiet = new Promise<void>((resolve) => (silenceOver = resolve));
      // The caller gets START_WAIT_MS to begin once the offer has played; from then on their speech
      // stops the silence clock and each pause restarts it.
      if (!callerSpeaking && turns.length === 0) {
        clearTimeout(silence);
        silence = setTimeout(() => silenceOver(), START_WAIT_MS);
      } else if (!callerSpeaking) {
        startSilence();
      }
      await Promise.race([quiet, interrupted, timeout(maxMessageSeconds * 1000)]);
      clearTimeout(silence);
      // Words still being transcribed when the caller hung up or went quiet are kept: the final
      // transcript follows the end of speech.
      return turns.join(' ').replace(/\s+/g, ' ').trim();
    },
    /** The caller's yes or no, from now until CONSENT_WAIT_MS after `asked` (the question played). */
    async answer(asked: Promise<void>): Promise<'yes' | 'no' | undefined> {
      let answered: (answer: 'yes' | 'no' | undefined) => void = () => undefined;
      const reply = new Promise<'yes' | 'no' | undefined>((resolve) => (answered = resolve));
      onTurn = (text) => {
        const answer = voicemail.consent(text, call.language);
        if (answer) answered(answer);
      };
      return Promise.race([
        reply,
        interrupted.then(() => undefined),
        asked.then(() => timeout(CONSENT_WAIT_MS)).then(() => undefined),
      ]);
    },
    release: () => {
      clearTimeout(silence);
      capture.release();
    },
  };
}
