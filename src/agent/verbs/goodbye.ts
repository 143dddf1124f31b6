import type { VerbContext } from './types.js';

/** Goodbye: says the closing line, then ends the call (the room is deleted, the gateway sends BYE). */
export async function goodbye(ctx: VerbContext): Promise<void> {
  await ctx.speaker
    .say(ctx.config.goodbye[ctx.call.language], { interruptible: false })
    .waitForPlayout();
  ctx.call.end('goodbye');
}
