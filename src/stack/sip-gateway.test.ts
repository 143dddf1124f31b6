import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../config/index.js';
import { livekitSipYaml } from './generated-configs.js';
import { redirectRuleset } from './sip-redirect.js';

const tls = {
  certFile: '/etc/letsencrypt/live/x/fullchain.pem',
  keyFile: '/etc/letsencrypt/live/x/privkey.pem',
};

describe('SIP gateway generations', () => {
  it('without TLS, one livekit-sip listens on the public port itself', () => {
    const yaml = parse(livekitSipYaml(parseConfig({})));
    expect(yaml).toMatchObject({ sip_port: 5060, sip_port_listen: 5060, health_port: 8081 });
    expect(yaml.tls).toBeUndefined();
  });

  it('with TLS, each generation listens on its own internal ports and announces the public ones', () => {
    const config = parseConfig({ sip: { host: '10.77.0.1', tls } });
    const [a, b] = [0, 1].map((g) => parse(livekitSipYaml(config, g as 0 | 1)));
    expect(a).toMatchObject({
      sip_port: 5060,
      sip_port_listen: 15060,
      health_port: 15064,
      tls: { port: 5061, port_listen: 15061 },
    });
    expect(b).toMatchObject({
      sip_port_listen: 15062,
      health_port: 15065,
      tls: { port: 5061, port_listen: 15063 },
    });
    expect(a.tls.certs).toEqual([{ cert_file: tls.certFile, key_file: tls.keyFile }]);
  });

  it('the redirect sends the public TLS port to the serving generation, plain SIP only when on', () => {
    const off = parseConfig({ sip: { host: '10.77.0.1', plain: false, tls } });
    const rules = redirectRuleset('switchboard-dev', off.sip, 1);
    expect(rules).toContain('tcp dport 5061 dnat ip to 10.77.0.1:15063');
    expect(rules).not.toMatch(/dport 5060/);
    const on = parseConfig({ sip: { host: '0.0.0.0', tls } });
    expect(redirectRuleset('switchboard-dev', on.sip, 0)).toMatch(
      /udp dport 5060 redirect to :15060/,
    );
  });

  it.skipIf(process.getuid?.() !== 0)('nft -c accepts both redirect rulesets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-redirect-'));
    for (const [host, plain] of [
      ['10.77.0.1', false],
      ['0.0.0.0', true],
      ['2001:db8::1', true],
    ] as const) {
      const config = parseConfig({ sip: { host, plain, tls } });
      const file = join(dir, 'redirect.nft');
      writeFileSync(file, redirectRuleset('switchboard-dev', config.sip, 0));
      execFileSync('nft', ['-c', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
  });
});
