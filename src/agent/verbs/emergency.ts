import { handoff } from './handoff.js';
import type { VerbContext } from './types.js';

/**
 * Emergency: `instruct` tells the caller, in their language, to hang up and dial 112 and offers
 * the helpdesk; `transfer` REFERs to the emergency target. Never limited, never sent to a brain.
 */
export async function emergency(ctx: VerbContext): Promise<void> {
  const { action, target, instruct } = ctx.config.emergency;
  ctx.logger.warn({ event: 'emergency', action }, 'emergency phrase');
  ctx.events.emit({ type: 'emergency' });
  if (action === 'transfer' && target) {
    await handoff(ctx, { target, reason: 'emergency' });
    return;
  }
  await ctx.speaker.say(instruct[ctx.call.language], { interruptible: false }).waitForPlayout();
}
