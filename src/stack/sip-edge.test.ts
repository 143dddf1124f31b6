import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import {
  applyEdge,
  blockSource,
  edgeRuleset,
  edgeTable,
  listSources,
  removeEdge,
  trustedSources,
} from './sip-edge.js';

const root = process.getuid?.() === 0;
const tls = {
  certFile: '/etc/letsencrypt/live/x/fullchain.pem',
  keyFile: '/etc/letsencrypt/live/x/privkey.pem',
};
const trunks = {
  inboundTrunks: [
    { name: 'carrier', numbers: ['+3225550100'], allowedAddresses: ['192.0.2.0/28'] },
    {
      name: 'softphones',
      allowedAddresses: ['198.51.100.0/24'],
      auth: { username: 'softphone', password: 'not-the-dev-password' },
    },
  ],
  dispatchRules: [
    { name: 'calls', type: 'individual', roomPrefix: 'call-', trunks: ['carrier', 'softphones'] },
  ],
};

describe('SIP edge ruleset', () => {
  it('meters every source on the public SIP ports and blocks it when over the rate', () => {
    const config = parseConfig({
      sip: { edge: { packetsPerSecond: 20, burstPackets: 40, floodBlockSeconds: 30 } },
    });
    const rules = edgeRuleset(config);
    expect(rules).toContain('fib daddr type local udp dport { 5060 } jump sip');
    expect(rules).toContain('fib daddr type local tcp dport { 5060 } jump sip');
    expect(rules).toContain(
      'update @rate_v4 { ip saddr limit rate over 20/second burst 40 packets } add @flooders_v4 { ip saddr timeout 30s } drop',
    );
    expect(rules).toContain('sip ip saddr @blocked_v4 drop');
    expect(rules).toContain('prerouting iif lo return');
  });

  it('with TLS and plain SIP off, only the TLS port is behind it', () => {
    const config = parseConfig({ sip: { host: '10.77.0.1', plain: false, tls } });
    const rules = edgeRuleset(config);
    expect(rules).toContain('tcp dport { 5061 } jump sip');
    expect(rules).not.toMatch(/udp dport/);
  });

  it('trusts sip.edge.trusted and carriers gated by address, not trunks that log in', () => {
    const config = parseConfig({
      provisioning: trunks,
      sip: { edge: { trusted: ['2001:db8::/64'] } },
    });
    expect(trustedSources(config)).toEqual({ v4: ['192.0.2.0/28'], v6: ['2001:db8::/64'] });
    expect(edgeRuleset(config)).toContain(
      'add element inet switchboard_edge_switchboard_dev trusted_v4 { 192.0.2.0/28 }',
    );
  });

  it('refuses a bad trusted entry and a log level that hides failed logins, naming the field', () => {
    expect(() => parseConfig({ sip: { edge: { trusted: ['10.0.0.0/33'] } } })).toThrow(
      /sip\.edge\.trusted/,
    );
    expect(() => parseConfig({ sip: { logLevel: 'error' } })).toThrow(/sip\.logLevel: warn/);
    expect(() =>
      parseConfig({ sip: { logLevel: 'error', edge: { enabled: false } } }),
    ).not.toThrow();
  });

  it.skipIf(!root)('nft -c accepts the ruleset, plain and TLS, v4 and v6', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-edge-'));
    for (const sip of [
      {},
      { host: '10.77.0.1', plain: false, tls },
      { edge: { trusted: ['2001:db8::1'] } },
    ]) {
      const file = join(dir, 'edge.nft');
      writeFileSync(file, edgeRuleset(parseConfig({ sip, provisioning: trunks })));
      execFileSync('nft', ['-c', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
  });
});

describe.skipIf(!root)('SIP edge in the kernel', () => {
  // A table of its own (no stack uses this deployment name), removed afterwards.
  const deployment = `sb-edge-unit-${process.pid}`;
  const config = parseConfig({ deployment, sip: { port: 55999 } });
  afterAll(() => removeEdge(deployment));

  it('blocks a source with its own timeout, and a reload keeps the block', async () => {
    await applyEdge(config);
    await blockSource(deployment, '198.51.100.7', 120);
    await blockSource(deployment, '2001:db8::7', 60);
    await applyEdge(config);
    const blocked = await listSources(deployment, 'blocked');
    expect(blocked.map((b) => b.address).sort()).toEqual(['198.51.100.7', '2001:db8::7']);
    expect(blocked.find((b) => b.address === '198.51.100.7')!.expires).toBeGreaterThan(100);
    expect(await listSources(deployment, 'flooders')).toEqual([]);
  });

  it('is gone after removeEdge', () => {
    removeEdge(deployment);
    const tables = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
    expect(tables).not.toContain(edgeTable(deployment));
  });
});
