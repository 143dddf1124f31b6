import type { VerbContext } from './types.js';

/**
 * The opening-hours question: answered from the configured schedule in the caller's language,
 * with when the helpdesk opens again if it is closed now. Never a hand-off.
 */
export async function hours(ctx: VerbContext): Promise<void> {
  const { call, helpdesk, speaker } = ctx;
  const language = call.language;
  const [schedule, status] = await Promise.all([
    helpdesk.hours(language),
    helpdesk.status(language),
  ]);
  const text = status.open || !status.sentence ? schedule : `${schedule} ${status.sentence}`;
  await speaker.say(text).waitForPlayout();
}
