import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../telemetry/index.js';
import { allowedTargets, canonical, transferCall } from './transfer.js';

const logger = createLogger({ level: 'silent' });
const handoff = {
  target: 'tel:+3225550199',
  allowlist: ['sip:desk@pbx.example.org'],
  timeoutSeconds: 10,
  announce: {} as never,
  failed: {} as never,
  refused: {} as never,
};

/** A transfer against a fake SipClient; `emergencyTarget` joins the allowlist when given. */
function deps(transfer: ReturnType<typeof vi.fn>, emergencyTarget?: string) {
  return {
    sip: { transferSipParticipant: transfer },
    roomName: 'r',
    participantIdentity: 'p',
    allowed: allowedTargets(handoff, emergencyTarget),
    timeoutSeconds: 10,
    logger,
  };
}

describe('hand-off', () => {
  it('writes a target one way whatever its spacing', () => {
    expect(canonical('+44 9 123 (456)')).toBe('tel:+449123456');
    expect(canonical('tel:+32 2 555 01 99')).toBe('tel:+3225550199');
    expect(canonical('sip:desk@pbx')).toBe('sip:desk@pbx');
  });

  it('refuses a target outside the allowlist without sending anything', async () => {
    const transfer = vi.fn();
    expect(await transferCall(deps(transfer), '+44 9000 000000')).toBe('refused');
    expect(transfer).not.toHaveBeenCalled();
  });

  it('transfers to the helpdesk, an allowlisted URI, or the emergency target', async () => {
    const transfer = vi.fn().mockResolvedValue(undefined);
    const d = deps(transfer, 'tel:+3225550112');
    expect(await transferCall(d, 'tel:+32 2 555 01 99')).toBe('transferred');
    expect(await transferCall(d, 'sip:desk@pbx.example.org')).toBe('transferred');
    expect(await transferCall(d, 'tel:+3225550112')).toBe('transferred');
    expect(transfer).toHaveBeenNthCalledWith(1, 'r', 'p', 'tel:+3225550199', {
      playDialtone: false,
      timeout: 10,
    });
  });

  it('reports a REFER rejected or a NOTIFY >= 300 as failed', async () => {
    const transfer = vi.fn().mockRejectedValue(new Error('SIP 486 Busy Here'));
    expect(await transferCall(deps(transfer), handoff.target)).toBe('failed');
  });
});
