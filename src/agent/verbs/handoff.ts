import type { TransferResult } from '../call/call-state.js';
import { canonical, transferCall } from './transfer.js';
import type { VerbContext } from './types.js';
import { takeMessage } from './voicemail.js';

export interface HandoffRequest {
  /** Where to; the configured helpdesk when absent. Only allowlisted targets are ever reached. */
  target?: string;
  /** Who asked, for the log: `caller asked`, `dtmf`, `llm tool`, `backend escalate`, `emergency`. */
  reason: string;
}

/**
 * Hand-off: announce, REFER, wait for the final NOTIFY. A refused target is never announced; a
 * failed transfer is told to the caller, who can ask again. A trigger while a transfer is in
 * flight joins it. Resolves with the result.
 */
export function handoff(ctx: VerbContext, request: HandoffRequest): Promise<TransferResult> {
  const { call, config, speaker, logger } = ctx;
  const target = request.target ?? config.handoff.target;
  if (!ctx.allowedTargets.has(canonical(target))) {
    logger.warn(
      { event: 'transfer_refused', reason: request.reason },
      'transfer target is not on the allowlist',
    );
    ctx.events.emit({
      type: 'transfer',
      reason: transferReason(request.reason),
      result: 'refused',
    });
    speaker.say(config.handoff.refused[call.language]);
    return Promise.resolve('refused');
  }
  call.transfer ??= closedOrRefer(ctx, target, request.reason).finally(() => {
    call.transfer = undefined;
  });
  return call.transfer;
}

/**
 * Outside the helpdesk's hours no transfer is tried: the caller hears when it opens and is offered
 * a message. An emergency transfer goes through whatever the hours.
 */
async function closedOrRefer(
  ctx: VerbContext,
  target: string,
  reason: string,
): Promise<TransferResult> {
  if (reason !== 'emergency' && ctx.voicemail.config.enabled) {
    const status = await ctx.helpdesk.status(ctx.call.language);
    if (!status.open) {
      ctx.logger.info({ event: 'transfer', reason, result: 'closed' }, 'helpdesk closed');
      ctx.events.emit({ type: 'transfer', reason: transferReason(reason), result: 'closed' });
      void takeMessage(ctx, 'closed', { lead: status.sentence });
      return 'closed';
    }
  }
  return announceAndRefer(ctx, target, reason);
}

async function announceAndRefer(
  ctx: VerbContext,
  target: string,
  reason: string,
): Promise<TransferResult> {
  const { call, config, speaker, logger } = ctx;
  ctx.events.emit({ type: 'transfer', reason: transferReason(reason) });
  await speaker
    .say(config.handoff.announce[call.language], { interruptible: false })
    .waitForPlayout();
  const refer = await transferCall(
    {
      sip: ctx.sip,
      roomName: ctx.roomName,
      participantIdentity: ctx.callerIdentity,
      allowed: ctx.allowedTargets,
      timeoutSeconds: config.handoff.timeoutSeconds,
      logger,
    },
    target,
  );
  const result =
    refer === 'unconfirmed'
      ? await settledByCallerLeg(ctx, config.handoff.timeoutSeconds * 1000)
      : refer;
  logger.info({ event: 'transfer', reason, result, refer }, 'transfer');
  ctx.events.emit({ type: 'transfer', reason: transferReason(reason), result });
  if (result === 'transferred') {
    call.outcome = 'transferred';
    call.transferTarget = target;
    call.end('transferred');
  } else if (reason !== 'emergency' && ctx.voicemail.config.enabled) {
    void takeMessage(ctx, 'transfer_failed', {
      lead: ctx.voicemail.config.prompts.unavailable[call.language],
    });
  } else {
    speaker.say(config.handoff.failed[call.language]);
  }
  return result;
}

/** A bounded label for the figures: who asked matters less than whether it was an emergency. */
const transferReason = (reason: string) => (reason === 'emergency' ? 'emergency' : 'handoff');

/**
 * An unconfirmed REFER is settled by the caller's leg: a phone that accepted the REFER calls the
 * target and then leaves our call, so the caller leaving within the transfer timeout means the
 * transfer went through; still here after it, it did not.
 */
async function settledByCallerLeg(ctx: VerbContext, timeoutMs: number): Promise<TransferResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([ctx.call.ended, timedOut]);
  clearTimeout(timer);
  return first === 'hangup' ? 'transferred' : 'failed';
}
