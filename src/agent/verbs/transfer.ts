import type { SipClient } from 'livekit-server-sdk';
import type { Logger } from '../../telemetry/index.js';
import type { HandoffConfig } from '../config.js';

import type { TransferResult } from '../call/call-state.js';

export type { TransferResult };

/**
 * What the gateway said about a REFER. `unconfirmed`: livekit-sip lost the REFER's transaction
 * before reading any response ("transaction failed to complete (0 intermediate responses)", which
 * it classifies as indeterminate); the caller's phone may well have accepted and be transferring.
 */
export type ReferResult = TransferResult | 'unconfirmed';

const UNCONFIRMED = /transaction failed to complete \(0 intermediate responses\)/;

/**
 * Targets a transfer may reach: the helpdesk, the emergency target, the allowlist. Anything else
 * is refused here, in code, whatever an LLM or a backend asks for (toll fraud by prompt injection).
 */
export function allowedTargets(handoff: HandoffConfig, emergencyTarget?: string): Set<string> {
  return new Set(
    [handoff.target, ...handoff.allowlist, ...(emergencyTarget ? [emergencyTarget] : [])].map(
      canonical,
    ),
  );
}

/** `+44 9…`, `tel:+449…` and `tel:+44 9…` are one target. */
export function canonical(target: string): string {
  const t = target.trim();
  if (/^sip:/i.test(t)) return t;
  const digits = t.replace(/^tel:/i, '').replace(/[\s().-]/g, '');
  return `tel:${digits}`;
}

export interface TransferDeps {
  sip: Pick<SipClient, 'transferSipParticipant'>;
  roomName: string;
  participantIdentity: string;
  allowed: Set<string>;
  timeoutSeconds: number;
  logger: Logger;
}

/** Sends the REFER through livekit-sip and waits for the final NOTIFY. */
export async function transferCall(deps: TransferDeps, target: string): Promise<ReferResult> {
  const to = canonical(target);
  if (!deps.allowed.has(to)) {
    deps.logger.warn({ event: 'transfer_refused' }, 'transfer target is not on the allowlist');
    return 'refused';
  }
  try {
    await deps.sip.transferSipParticipant(deps.roomName, deps.participantIdentity, to, {
      playDialtone: false,
      timeout: deps.timeoutSeconds,
    });
    return 'transferred';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.logger.warn({ event: 'transfer_failed', err: message }, 'transfer failed');
    return UNCONFIRMED.test(message) ? 'unconfirmed' : 'failed';
  }
}
