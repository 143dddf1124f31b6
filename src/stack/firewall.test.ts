import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../config/index.js';
import { PROJECT_ROOT } from './binaries.js';
import { firewallRules } from './firewall.js';

const TWILIO_RANGES = [
  '54.172.60.0/30',
  '54.244.51.0/30',
  '54.171.127.192/30',
  '35.156.191.128/30',
  '54.65.63.192/30',
  '54.169.127.128/30',
  '54.252.254.64/30',
  '177.71.206.192/30',
];

function twilioPilot() {
  const file = join(PROJECT_ROOT, 'examples/config/twilio-pilot.yaml');
  return parseConfig(parse(readFileSync(file, 'utf8')), file, {
    LIVEKIT_API_KEY: 'APIexample0001',
    LIVEKIT_API_SECRET: 'x'.repeat(40),
    SWITCHBOARD_PSEUDONYM_SECRET: 'f'.repeat(64),
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'a'.repeat(32),
    DEEPGRAM_API_KEY: 'd'.repeat(40),
    ELEVEN_API_KEY: 'e'.repeat(40),
    OPENAI_API_KEY: `sk-${'o'.repeat(40)}`,
    SWITCHBOARD_CONSOLE_OPERATOR_HASH:
      'scrypt$32768$8$1$Vkth8U5YFQXYvm3Dh1xFAQ==$D6c7DEE4ZE0UxFNis1EGygnJN2654YESECQJfOeKCN0=',
  });
}

function pilot(sip: Record<string, unknown>, inboundTrunks: Array<Record<string, unknown>>) {
  return parseConfig({
    profile: 'pilot',
    sip: {
      host: '0.0.0.0',
      publicAddress: 'sip.pilot.test',
      publicIp: '203.0.113.10',
      tls: { port: 5061, certFile: '/c.pem', keyFile: '/k.pem' },
      ...sip,
    },
    admission: { pseudonymKeys: [{ id: 'k1', secret: 'f'.repeat(64) }] },
    provisioning: {
      inboundTrunks,
      dispatchRules: [{ name: 'calls', trunks: inboundTrunks.map((t) => t.name) }],
    },
  });
}

/** The ruleset without its comments: what nft acts on. */
const rulesOf = (ruleset: string) =>
  ruleset
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');

describe('firewall rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-firewall-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `nft -c` parses and checks against the kernel without changing anything; it needs CAP_NET_ADMIN. */
  const nftAccepts = (ruleset: string) => {
    const file = join(dir, 'switchboard.nft');
    writeFileSync(file, ruleset);
    execFileSync('nft', ['-c', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const root = process.getuid?.() === 0;

  it.skipIf(!root)('nft -c accepts the Twilio pilot ruleset', () => {
    expect(() => nftAccepts(firewallRules(twilioPilot()))).not.toThrow();
  });

  it('opens SIP-TLS on the dialled port only to Twilio’s eight ranges, and the RTP range', () => {
    const rules = rulesOf(firewallRules(twilioPilot()));
    for (const range of TWILIO_RANGES) expect(rules).toContain(range);
    expect(rules).toContain('set sip_peers_v4 {');
    expect(rules).not.toContain('sip_peers_v6');
    expect(rules).toContain(
      'meta l4proto tcp ct original proto-dst 5061 ip saddr @sip_peers_v4 accept',
    );
    expect(rules).toContain('udp dport 10000-10199 accept');
    expect(rules).toContain('type filter hook input priority filter; policy drop;');
    expect(rules).toContain('tcp dport 22 accept');
    // Plain SIP is off under pilot: 5060 appears nowhere nft reads.
    expect(rules).not.toContain('5060');
    // Nothing else is accepted by port: SSH, SIP-TLS and RTP.
    expect(rules.match(/\bdport\b|proto-dst/g)).toHaveLength(3);
  });

  it.skipIf(!root)(
    'with plain SIP on, opens 5060 over UDP and TCP to the same peers, IPv4 and IPv6 apart',
    () => {
      const config = pilot({ plain: true, rtpPortStart: 20000, rtpPortEnd: 20099 }, [
        {
          name: 'carrier-a',
          numbers: ['+3225550100'],
          allowedAddresses: ['192.0.2.0/24', '2001:db8::/48'],
        },
        // Overlaps and repeats across trunks: the sets must still load.
        {
          name: 'carrier-b',
          allowedAddresses: ['192.0.2.128/25', '198.51.100.7', '2001:db8::/48'],
        },
      ]);
      const ruleset = firewallRules(config);
      expect(() => nftAccepts(ruleset)).not.toThrow();
      const rules = rulesOf(ruleset);
      expect(rules).toContain(
        'meta l4proto { tcp, udp } ct original proto-dst 5060 ip saddr @sip_peers_v4 accept',
      );
      expect(rules).toContain(
        'meta l4proto { tcp, udp } ct original proto-dst 5060 ip6 saddr @sip_peers_v6 accept',
      );
      expect(rules).toContain(
        'meta l4proto tcp ct original proto-dst 5061 ip6 saddr @sip_peers_v6 accept',
      );
      expect(rules).toContain('198.51.100.7');
      expect(rules.match(/2001:db8::\/48/g)).toHaveLength(1);
      expect(rules).toContain('udp dport 20000-20099 accept');
    },
  );

  it('opens SIP-TLS to any address when a trunk has no allowedAddresses, and says which trunk', () => {
    const config = pilot({}, [
      { name: 'carrier', numbers: ['+3225550100'], allowedAddresses: ['192.0.2.0/24'] },
      { name: 'softphones', auth: { username: 'phones', password: 'Zx9vQm2LpT7rWk4Yh8Nb' } },
    ]);
    const ruleset = firewallRules(config);
    expect(ruleset).toContain(
      '# SIP over TLS (sip.tls.port 5061) from any address: trunk(s) softphones',
    );
    expect(rulesOf(ruleset)).toContain('meta l4proto tcp ct original proto-dst 5061 accept');
    expect(rulesOf(ruleset)).not.toContain('sip_peers');
  });
});
