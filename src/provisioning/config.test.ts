import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/index.js';
import { desiredState } from './desired.js';
import { checkAddress, looksLikeDevPassword } from './validate.js';

/** Problems under `provisioning.` only: other slices add their own pilot rules. */
function provisioningProblems(raw: unknown): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems
      .filter((p) => p.path.startsWith('provisioning'))
      .map((p) => `${p.path}: ${p.message}`);
  }
}

const twilioTrunk = {
  name: 'twilio',
  numbers: ['+3225550100'],
  allowedAddresses: ['54.172.60.0/30', '54.244.51.1', '2600:1f18::/48'],
};

describe('provisioning config', () => {
  it('defaults to the dev credential trunk and an individual rule dispatching switchboard-agent', () => {
    const config = parseConfig({});
    expect(config.provisioning.inboundTrunks).toEqual([
      expect.objectContaining({
        name: 'dev',
        auth: { username: 'softphone', password: 'switchboard-dev' },
      }),
    ]);
    expect(config.provisioning.dispatchRules).toEqual([
      expect.objectContaining({ type: 'individual', roomPrefix: 'call-', trunks: ['dev'] }),
    ]);
    const rule = desiredState(config).dispatchRules[0]?.spec;
    expect(rule?.agentName).toBe('switchboard-agent');
    expect(rule?.room).toBe('call-');
  });

  it('accepts a carrier trunk gated by addresses, under profile pilot', () => {
    const raw = {
      profile: 'pilot',
      provisioning: {
        inboundTrunks: [twilioTrunk],
        dispatchRules: [{ name: 'main', trunks: ['twilio'] }],
      },
    };
    expect(provisioningProblems(raw)).toEqual([]);
    const parsed = parseConfig({ ...raw, profile: 'dev' });
    expect(parsed.provisioning.inboundTrunks[0]?.allowedAddresses).toHaveLength(3);
  });

  it('accepts a strong password under profile pilot and refuses the dev one', () => {
    const withPassword = (password: string, profile = 'pilot') => ({
      profile,
      provisioning: {
        inboundTrunks: [{ name: 'phones', auth: { username: 'helpdesk', password } }],
        dispatchRules: [{ name: 'main', trunks: ['phones'] }],
      },
    });
    expect(provisioningProblems(withPassword('Qm9yZGVhdXgtMjAyNi1ibHVlLWZpc2g'))).toEqual([]);
    expect(provisioningProblems(withPassword('switchboard-dev'))).toEqual([
      expect.stringContaining(
        'provisioning.inboundTrunks.0.auth.password: looks like a development password',
      ),
    ]);
    // The same dev password is fine in a dev profile.
    expect(provisioningProblems(withPassword('switchboard-dev', 'dev'))).toEqual([]);
  });

  it('resolves the agent from agent.name unless the rule names one', () => {
    const config = parseConfig({
      agent: { name: 'zol-agent' },
      provisioning: {
        dispatchRules: [
          { name: 'dev-individual', trunks: ['dev'] },
          { name: 'pinned', trunks: ['dev'], pin: '1234', agentName: 'other-agent' },
        ],
      },
    });
    const state = desiredState(config);
    expect(state.dispatchRules.map((r) => r.spec.agentName)).toEqual(['zol-agent', 'other-agent']);
    expect(state.warnings.join('\n')).toContain('dispatches agent "other-agent"');
  });

  it('hashes the spec independently of list order, and changes the hash when a value changes', () => {
    const make = (addresses: string[], password: string) =>
      desiredState(
        parseConfig({
          provisioning: {
            inboundTrunks: [
              { ...twilioTrunk, allowedAddresses: addresses, auth: { username: 'u', password } },
            ],
            dispatchRules: [{ name: 'main', trunks: ['twilio'] }],
          },
        }),
      ).inboundTrunks[0]?.hash;
    const a = make(['54.172.60.0/30', '54.244.51.0/30'], 'first-long-password');
    expect(make(['54.244.51.0/30', '54.172.60.0/30'], 'first-long-password')).toBe(a);
    expect(make(['54.172.60.0/30', '54.244.51.0/30'], 'second-long-password')).not.toBe(a);
  });
});

describe('checkAddress', () => {
  it.each(['203.0.113.10', '203.0.113.0/24', '10.0.0.0/8', '2001:db8::1', '2001:db8::/32'])(
    'accepts %s',
    (entry) => expect(checkAddress(entry)).toBeUndefined(),
  );
  it.each([
    ['1.2.3.4/33', 'prefix length'],
    ['1.2.3.4/', 'prefix length'],
    ['1.2.3.4/08', 'prefix length'],
    ['01.2.3.4', 'not an IP address'],
    ['300.1.1.1', 'not an IP address'],
    ['sip.example.com', 'host names'],
    ['0.0.0.0/0', 'whole internet'],
    ['1.2.3.4/0', 'whole internet'],
    ['::/0', 'whole internet'],
    ['10.0.0.0/7', 'far wider'],
    ['2001::/16', 'far wider'],
    ['::ffff:1.2.3.4', 'IPv4-mapped'],
    ['fe80::1%eth0', 'zones'],
    [' 1.2.3.4', 'spaces'],
    ['1.2.3.4,5.6.7.8', 'several entries'],
  ])('refuses %s (%s)', (entry, fragment) => {
    expect(checkAddress(entry)).toContain(fragment);
  });
});

describe('looksLikeDevPassword', () => {
  it.each(['switchboard-dev', 'phaseA2026', 'secret', 'changeme-please-now', 'short'])(
    'flags %s',
    (pw) => expect(looksLikeDevPassword(pw)).toBe(true),
  );
  it('passes a long random one', () => {
    expect(looksLikeDevPassword('hX3v9LqP2mZr8Kw4Tn6Yb1')).toBe(false);
  });
});
