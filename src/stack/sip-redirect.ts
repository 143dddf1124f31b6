import { execFile, execFileSync } from 'node:child_process';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { internalPorts, type SipConfig } from '../config/index.js';

const run = promisify(execFile);

/**
 * The nftables table that puts one livekit-sip generation behind the public SIP ports. livekit-sip
 * reads its certificate once, at start; to take a renewed one without dropping calls, a new
 * generation starts on the other internal ports and this redirect moves to it. Connections already
 * open keep their translation in conntrack, so calls on the old generation go on until they end.
 */
export function redirectTable(deployment: string): string {
  return `switchboard_sip_${deployment.replace(/-/g, '_')}`;
}

/** The ruleset for generation `slot` (0 or 1) as serving. */
export function redirectRuleset(deployment: string, sip: SipConfig, slot: 0 | 1): string {
  if (!sip.tls) throw new Error('the SIP redirect is only used with sip.tls');
  const internal = internalPorts(sip.internalPortBase);
  const family = isIP(sip.host) === 6 ? 'ip6' : 'ip';
  const specific = !['0.0.0.0', '::'].includes(sip.host);
  // To a specific bind address the translation names it (redirect would pick the interface's
  // primary address); bound to all addresses, redirect keeps whichever local address was dialled.
  const match = `fib daddr type local${specific ? ` ${family} daddr ${sip.host}` : ''}`;
  const to = (port: number) =>
    specific ? `dnat ${family} to ${hostPort(sip.host, port)}` : `redirect to :${port}`;
  const rules = [`${match} tcp dport ${sip.tls.port} ${to(internal.tls[slot])}`];
  if (sip.plain) {
    rules.push(`${match} udp dport ${sip.port} ${to(internal.plain[slot])}`);
    rules.push(`${match} tcp dport ${sip.port} ${to(internal.plain[slot])}`);
  }
  const ports = internal.all.join(', ');
  const plainPorts = internal.plain.join(', ');
  const table = redirectTable(deployment);
  // Declared, deleted and declared again in one transaction: the swap is atomic.
  return [
    `table inet ${table} {}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    `  chain prerouting {`,
    `    type nat hook prerouting priority dstnat; policy accept;`,
    ...rules.map((r) => `    ${r}`),
    `  }`,
    `  chain output {`,
    `    type nat hook output priority -100; policy accept;`,
    ...rules.map((r) => `    ${r}`),
    `  }`,
    // The internal ports answer only through the redirect: never a second, unfiltered way in.
    `  chain input {`,
    `    type filter hook input priority filter; policy accept;`,
    `    tcp dport { ${ports} } ct status dnat accept`,
    `    udp dport { ${plainPorts} } ct status dnat accept`,
    `    tcp dport { ${ports} } drop`,
    `    udp dport { ${plainPorts} } drop`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

export class RedirectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RedirectError';
  }
}

/** Points the public SIP ports at generation `slot`. Needs CAP_NET_ADMIN (root, or the systemd unit's capability). */
export async function applyRedirect(
  deployment: string,
  sip: SipConfig,
  slot: 0 | 1,
): Promise<void> {
  const ruleset = redirectRuleset(deployment, sip, slot);
  try {
    const child = run('nft', ['-f', '-']);
    child.child.stdin?.end(ruleset);
    await child;
  } catch (cause) {
    const detail = (cause as { stderr?: string }).stderr?.trim() || String(cause);
    throw new RedirectError(
      `cannot install the SIP-TLS redirect (nft): ${detail}. The SIP gateway needs nftables and CAP_NET_ADMIN ` +
        '(run it as root, or with the capability as deploy/systemd/switchboard-sip.service does)',
      { cause },
    );
  }
}

/** Removes the redirect; synchronous so it also runs from a hard stop. */
export function removeRedirect(deployment: string): void {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', redirectTable(deployment)], {
      stdio: 'ignore',
    });
  } catch {
    // Not there (never installed, or already removed).
  }
}
